package dev.skyferry.testkit;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The AWS-side smoke tests, written once against {@link AwsServices} and run against the in-JVM
 * emulators ({@link EmulatedAwsSmokeTest}) and LocalStack ({@link LocalStackAwsSmokeTest}).
 */
abstract class AwsSmokeContract {

    private static final int FIVE_MIB = 5 * 1024 * 1024;

    protected abstract AwsServices aws();

    @Test
    void objectPutIsReadBackWithItsMetadata() {
        S3Client s3 = aws().s3Client();
        String bucket = Emulators.freshName("smoke");
        s3.createBucket(b -> b.bucket(bucket));
        byte[] content = randomBytes(200_000, 1);

        s3.putObject(p -> p.bucket(bucket).key("dir/with space/object.bin").metadata(Map.of("origin", "smoke"))
                .contentType("application/octet-stream"), RequestBody.fromBytes(content));

        ResponseBytes<GetObjectResponse> read = s3.getObjectAsBytes(g -> g.bucket(bucket).key("dir/with space/object.bin"));
        assertThat(read.asByteArray()).isEqualTo(content);
        assertThat(read.response().metadata()).containsEntry("origin", "smoke");
        assertThat(read.response().contentLength()).isEqualTo(content.length);
        // A single-part object's ETag is the hex MD5 of its bytes.
        assertThat(read.response().eTag()).isEqualTo("\"" + md5Hex(content) + "\"");
    }

    @Test
    void multipartUploadOfThreePartsIsReadBackEqual() {
        S3Client s3 = aws().s3Client();
        String bucket = Emulators.freshName("smoke");
        s3.createBucket(b -> b.bucket(bucket));
        String key = "large.bin";
        List<byte[]> parts = List.of(randomBytes(FIVE_MIB, 2), randomBytes(FIVE_MIB, 3), randomBytes(123_456, 4));

        String uploadId = s3.createMultipartUpload(c -> c.bucket(bucket).key(key)).uploadId();
        List<CompletedPart> completed = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            int partNumber = i + 1;
            String eTag = s3.uploadPart(u -> u.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber),
                    RequestBody.fromBytes(parts.get(partNumber - 1))).eTag();
            completed.add(CompletedPart.builder().partNumber(partNumber).eTag(eTag).build());
        }
        s3.completeMultipartUpload(c -> c.bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(completed)));

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        parts.forEach(expected::writeBytes);
        ResponseBytes<GetObjectResponse> read = s3.getObjectAsBytes(g -> g.bucket(bucket).key(key));
        assertThat(read.asByteArray()).isEqualTo(expected.toByteArray());
        // A multipart ETag is "<md5 of the part md5s>-<part count>", not the object's MD5.
        assertThat(read.response().eTag()).endsWith("-3\"");
    }

    @Test
    void messageSentIsReceivedOnceAndGoneAfterDelete() {
        SqsClient sqs = aws().sqsClient();
        String queueUrl = sqs.createQueue(c -> c.queueName(Emulators.freshName("smoke"))).queueUrl();

        sqs.sendMessage(s -> s.queueUrl(queueUrl).messageBody("{\"Records\":[]}"));

        List<Message> received = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                .waitTimeSeconds(5)).messages();
        assertThat(received).extracting(Message::body).containsExactly("{\"Records\":[]}");
        sqs.deleteMessage(d -> d.queueUrl(queueUrl).receiptHandle(received.getFirst().receiptHandle()));
        assertThat(sqs.receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(1)).messages()).isEmpty();
    }

    @Test
    void redrivePolicyMovesMessageToDeadLetterQueueAfterMaxReceiveCount() {
        SqsClient sqs = aws().sqsClient();
        String name = Emulators.freshName("smoke");
        String dlqUrl = sqs.createQueue(c -> c.queueName(name + "-dlq")).queueUrl();
        String dlqArn = sqs.getQueueAttributes(g -> g.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        int maxReceiveCount = 2;
        String queueUrl = sqs.createQueue(c -> c.queueName(name).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}")))
                .queueUrl();
        sqs.sendMessage(s -> s.queueUrl(queueUrl).messageBody("poison"));

        // Receive without deleting, and make the message visible again at once instead of waiting it out.
        for (int receive = 1; receive <= maxReceiveCount; receive++) {
            List<Message> received = sqs.receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(5)
                    .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
            assertThat(received).extracting(Message::body).containsExactly("poison");
            assertThat(received.getFirst().attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))
                    .isEqualTo(Integer.toString(receive));
            sqs.changeMessageVisibility(c -> c.queueUrl(queueUrl)
                    .receiptHandle(received.getFirst().receiptHandle()).visibilityTimeout(0));
        }

        assertThat(sqs.receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(1)).messages()).isEmpty();
        List<Message> deadLettered = sqs.receiveMessage(r -> r.queueUrl(dlqUrl).waitTimeSeconds(5)).messages();
        assertThat(deadLettered).extracting(Message::body).containsExactly("poison");
    }

    private static String md5Hex(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
