package dev.skyferry.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.sun.net.httpserver.HttpServer;
import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectStore.MultipartWrite;
import dev.skyferry.store.ObjectStore.TargetOptions;
import dev.skyferry.store.ObjectStore.WriteResult;
import dev.skyferry.store.ObjectStore.WriteSpec;
import dev.skyferry.store.Precondition;
import dev.skyferry.verify.Checksums;
import dev.skyferry.verify.ReplicaVerifier;
import dev.skyferry.verify.WrittenReplica;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A target bucket whose default encryption is SSE-KMS, the rule asking for none (what
 * deploy/aws/skyferry.cfn.yaml sets up with a KmsKeyArn). S3 then answers every UploadPart and
 * CompleteMultipartUpload with {@code x-amz-server-side-encryption: aws:kms} and ETags that are no MD5s.
 * No emulator encrypts, so a plain HTTP server stands in for S3 and answers just that.
 */
class S3StoreOnKmsEncryptedBucketTest {

    private final List<String> requests = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @BeforeEach
    void startKmsBucket() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                String method = exchange.getRequestMethod();
                String query = exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery();
                requests.add(method + " " + query);
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().add("x-amz-server-side-encryption", "aws:kms");
                String body = "";
                if (method.equals("POST") && query.startsWith("uploads")) {
                    body = "<InitiateMultipartUploadResult><Bucket>bucket</Bucket><Key>big.bin</Key>"
                            + "<UploadId>u1</UploadId></InitiateMultipartUploadResult>";
                } else if (method.equals("PUT") && query.contains("partNumber")) {
                    exchange.getResponseHeaders().add("ETag", "\"" + kmsEtag() + "\"");
                } else if (method.equals("POST") && query.contains("uploadId")) {
                    body = "<CompleteMultipartUploadResult><Bucket>bucket</Bucket><Key>big.bin</Key>"
                            + "<ETag>\"" + kmsEtag() + "-2\"</ETag></CompleteMultipartUploadResult>";
                }
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(method.equals("DELETE") ? 204 : 200, bytes.length == 0 ? -1 : bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aMultipartReplicaReportsTheBucketsKmsEncryptionAndIsNotRejectedForItsEtag() {
        S3ClientOptions options = S3ClientOptions.compatible("us-east-1",
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")));
        try (S3Client client = S3Clients.client(options)) {
            // payloadHashes=false: parts carry their MD5s, as they do over HTTPS to AWS
            S3Store store = new S3Store(client, S3Clients.presigner(options), "bucket", new S3Store.EndpointChecks(true, false));
            byte[] part1 = randomBytes(6 * 1024 * 1024, 1);
            byte[] part2 = randomBytes(1024, 2);
            byte[] md5a = Checksums.md5(ByteBuffer.wrap(part1));
            byte[] md5b = Checksums.md5(ByteBuffer.wrap(part2));
            WriteSpec spec = new WriteSpec(ObjectAttributes.NONE, part1.length + part2.length, null, TargetOptions.DEFAULTS);

            MultipartWrite write = store.startMultipart("big.bin", spec, Precondition.IF_ABSENT);
            write.uploadPart(1, ByteBuffer.wrap(part1), md5a);
            write.uploadPart(2, ByteBuffer.wrap(part2), md5b);
            WriteResult result = write.complete();

            assertThat(result.serverSideEncryption()).isEqualTo("aws:kms");
            WrittenReplica replica = new WrittenReplica("big.bin", WrittenReplica.Method.MULTIPART, result,
                    spec.size(), null, 2, List.of(md5a, md5b), TargetOptions.DEFAULTS);
            assertThatCode(() -> new ReplicaVerifier().verify(store, replica)).doesNotThrowAnyException();
            assertThat(requests).noneMatch(request -> request.startsWith("DELETE"));
        }
    }

    /** A KMS ETag: 32 hex digits, but no MD5 of anything sent. */
    private static String kmsEtag() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
