package dev.skyferry.identity.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.credential.TokenCredential;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueClientBuilder;
import dev.skyferry.identity.AzureAuthSettings;
import dev.skyferry.identity.AzureCredentials;
import dev.skyferry.store.azure.AzureBlobClients;
import dev.skyferry.testkit.AwsClients;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import dev.skyferry.testkit.identity.LocalOidcIssuer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

@ExtendWith(EmulatorExtension.class)
class AccessProbesTest {

    private static final String AZURE_PRINCIPAL = "object id 0f0f0f0f-0000-0000-0000-000000000001";
    private static final String AWS_ROLE = "arn:aws:iam::000000000000:role/skyferry";

    private final Emulators emulators;
    private final AccessProbes probes = new AccessProbes(AZURE_PRINCIPAL, AWS_ROLE);

    AccessProbesTest(Emulators emulators) {
        this.emulators = emulators;
    }

    @Test
    void blobProbesPassOnAWritableContainerAndLeaveNothingBehind() {
        BlobContainerClient container = emulators.blobService().getBlobContainerClient(Emulators.freshName("probe"));
        container.create();

        assertThat(probes.blobRead(container).status()).isEqualTo(CheckResult.Status.PASS);
        CheckResult write = probes.blobWrite(container);

        assertThat(write.status()).isEqualTo(CheckResult.Status.PASS);
        assertThat(write.detail()).contains(AccessProbes.PROBE_PREFIX);
        assertThat(container.listBlobs()).as("no blob, so no BlobCreated event").isEmpty();
    }

    @Test
    void blobTagProbesPassWhereTagsMayBeReadAndWrittenAndLeaveNothingBehind() {
        BlobContainerClient container = emulators.blobService().getBlobContainerClient(Emulators.freshName("probe"));
        container.create();

        CheckResult tags = probes.blobTags(container, true, true);

        assertThat(tags.status()).as(tags.detail()).isEqualTo(CheckResult.Status.PASS);
        assertThat(tags.detail()).startsWith("tag read and write allowed");
        assertThat(container.listBlobs()).isEmpty();
    }

    @Test
    void blobTagsDeniedByRbacNameTheDataActionsContributorLacks() {
        try (var azure = new CannedHttpServer(403, AZURE_403, AZURE_403_BODY)) {
            BlobContainerClient container = new BlobContainerClientBuilder()
                    .endpoint(azure.endpoint() + "/devstoreaccount1").containerName("photos")
                    .credential(new StorageSharedKeyCredential(Emulators.AZURE_ACCOUNT, Emulators.AZURE_ACCOUNT_KEY))
                    .buildClient();

            CheckResult tags = probes.blobTags(container, true, false);

            assertThat(tags.failed()).isTrue();
            assertThat(tags.detail()).contains("HTTP 403 AuthorizationPermissionMismatch");
            assertThat(tags.hint()).contains("blobs/tags/read").contains(AZURE_PRINCIPAL).contains("container photos");
        }
    }

    @Test
    void aMissingContainerFailsWithTheCreateHint() {
        BlobContainerClient container = emulators.blobService().getBlobContainerClient(Emulators.freshName("absent"));

        CheckResult read = probes.blobRead(container);

        assertThat(read.failed()).isTrue();
        assertThat(read.detail()).contains("ContainerNotFound");
        assertThat(read.hint()).startsWith("create the container");
    }

    @Test
    void aBlobProbeRefusedForWantOfAnEntraTokenShowsTheIdentityHint() {
        try (LocalOidcIssuer issuer = LocalOidcIssuer.start()) {
            var app = issuer.addApplication("skyferry-check", "right-secret");
            Map<String, String> env = Map.of("AZURE_AUTHORITY_HOST", issuer.authorityHost().toString());
            var input = new AzureAuthSettings.Input("client-secret", issuer.tenantId(), app.clientId(), null, null,
                    "wrong-secret", null, null, null, null, null);
            TokenCredential credential = AzureCredentials.create(AzureAuthSettings.resolve(input, env), env);
            // Built as the worker builds it (sync client). Nothing listens there: the token request fails first.
            BlobContainerClient container = AzureBlobClients.container("https://127.0.0.1:9", "photos", credential);

            CheckResult read = probes.blobRead(container);

            assertThat(read.failed()).isTrue();
            assertThat(read.detail()).contains("could not get an Entra token").contains("AADSTS7000215")
                    .as("the hint is the row's fix line, not repeated in its detail").doesNotContain("check azure.auth.clientSecret");
            assertThat(read.hint()).contains("check azure.auth.clientSecret");
        }
    }

    @Test
    void queueReceiveProbePeeksWithoutConsumingTheWaitingMessage() {
        QueueClient queue = emulators.queueService().getQueueClient(Emulators.freshName("probe"));
        queue.create();
        queue.sendMessage("a real event");

        CheckResult receive = probes.queueReceive(queue);

        assertThat(receive.status()).isEqualTo(CheckResult.Status.PASS);
        var message = queue.receiveMessage();
        assertThat(message.getBody().toString()).isEqualTo("a real event");
        assertThat(message.getDequeueCount()).as("the probe did not dequeue it").isEqualTo(1);
    }

    @Test
    void s3ProbesPassOnAWritableBucketAndLeaveNothingBehindNotEvenAnUpload() {
        S3Client s3 = emulators.s3Client();
        String bucket = Emulators.freshName("probe");
        s3.createBucket(b -> b.bucket(bucket));

        assertThat(probes.s3Read(s3, bucket, "from-azure/").status()).isEqualTo(CheckResult.Status.PASS);
        CheckResult write = probes.s3Write(s3, bucket, "from-azure/", null);

        assertThat(write.status()).isEqualTo(CheckResult.Status.PASS);
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).contents()).as("no object, so no ObjectCreated event").isEmpty();
        assertThat(s3.listMultipartUploads(b -> b.bucket(bucket)).uploads()).as("the upload was aborted").isEmpty();
    }

    @Test
    void aPartRefusedAfterTheUploadStartedFailsAndStillLeavesNoUploadBehind() {
        S3Client s3 = emulators.s3Client();
        String bucket = Emulators.freshName("probe");
        s3.createBucket(b -> b.bucket(bucket));

        CheckResult write = probes.s3Write(partsRefusedByKms(s3), bucket, "from-azure/", null);

        assertThat(write.failed()).isTrue();
        assertThat(write.hint()).contains("kms:Decrypt");
        assertThat(s3.listMultipartUploads(b -> b.bucket(bucket)).uploads()).as("the upload was aborted").isEmpty();
    }

    /** The emulator's S3, except that UploadPart is refused as a KMS key policy refuses it (S3Proxy has no KMS). */
    private static S3Client partsRefusedByKms(S3Client s3) {
        return new S3Client() {
            @Override
            public CreateMultipartUploadResponse createMultipartUpload(CreateMultipartUploadRequest request) {
                return s3.createMultipartUpload(request);
            }

            @Override
            public UploadPartResponse uploadPart(UploadPartRequest request, RequestBody body) {
                throw (S3Exception) S3Exception.builder().statusCode(403)
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDenied").errorMessage("User: " + AWS_ROLE
                                + " is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:eu-west-1:000000000000:key/1234")
                                .build())
                        .build();
            }

            @Override
            public AbortMultipartUploadResponse abortMultipartUpload(AbortMultipartUploadRequest request) {
                return s3.abortMultipartUpload(request);
            }

            @Override
            public String serviceName() {
                return s3.serviceName();
            }

            @Override
            public void close() {}
        };
    }

    @Test
    void aMissingBucketFailsWithTheCreateHint() {
        CheckResult read = probes.s3Read(emulators.s3Client(), Emulators.freshName("absent"), "");

        assertThat(read.failed()).isTrue();
        assertThat(read.hint()).startsWith("create the bucket");
    }

    @Test
    void sqsReceiveProbeReadsAttributesWithoutTakingTheWaitingMessage() {
        SqsClient sqs = emulators.sqsClient();
        String url = sqs.createQueue(b -> b.queueName(Emulators.freshName("probe"))).queueUrl();
        sqs.sendMessage(b -> b.queueUrl(url).messageBody("a real event"));

        CheckResult receive = probes.sqsReceive(sqs, url);

        assertThat(receive.status()).isEqualTo(CheckResult.Status.PASS);
        var received = sqs.receiveMessage(b -> b.queueUrl(url).messageSystemAttributeNamesWithStrings("ApproximateReceiveCount"))
                .messages();
        assertThat(received).singleElement().satisfies(m -> assertThat(m.attributesAsStrings())
                .containsEntry("ApproximateReceiveCount", "1"));
    }

    @Test
    void sendProbesAreSkippedWithTheReasonNotFailed() {
        QueueClient poison = emulators.queueService().getQueueClient("any-poison");
        CheckResult azure = probes.queueSend(poison);
        CheckResult aws = probes.sqsSend(emulators.sqsClient(), "http://127.0.0.1/000000000000/dlq");

        assertThat(azure.status()).isEqualTo(CheckResult.Status.SKIPPED);
        assertThat(azure.detail()).contains("Storage Queue Data Message Sender");
        assertThat(aws.status()).isEqualTo(CheckResult.Status.SKIPPED);
        assertThat(aws.detail()).contains("sqs:SendMessage");
        assertThat(azure.failed() || aws.failed()).isFalse();
    }

    // ---- what only a real cloud decides: answered with its exact wire response ----

    private static final Map<String, String> AZURE_403 = Map.of("Content-Type", "application/xml",
            "x-ms-error-code", "AuthorizationPermissionMismatch");
    private static final String AZURE_403_BODY = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthorizationPermissionMismatch</Code>"
            + "<Message>This request is not authorized to perform this operation using this permission.\nRequestId:1\nTime:2025-01-01T00:00:00Z</Message></Error>";

    @Test
    void blobWriteDeniedByRbacNamesTheContributorRoleAndThePrincipal() {
        try (var azure = new CannedHttpServer(403, AZURE_403, AZURE_403_BODY)) {
            BlobContainerClient container = new BlobContainerClientBuilder()
                    .endpoint(azure.endpoint() + "/devstoreaccount1").containerName("photos")
                    .credential(new StorageSharedKeyCredential(Emulators.AZURE_ACCOUNT, Emulators.AZURE_ACCOUNT_KEY))
                    .buildClient();

            CheckResult write = probes.blobWrite(container);

            assertThat(write.failed()).isTrue();
            assertThat(write.detail()).contains("HTTP 403 AuthorizationPermissionMismatch");
            assertThat(write.hint()).contains("'Storage Blob Data Contributor'").contains(AZURE_PRINCIPAL).contains("container photos");
        }
    }

    @Test
    void queuePeekDeniedByRbacNamesTheMessageProcessorRole() {
        try (var azure = new CannedHttpServer(403, AZURE_403, AZURE_403_BODY)) {
            QueueClient queue = new QueueClientBuilder().endpoint(azure.endpoint() + "/devstoreaccount1").queueName("events")
                    .credential(new StorageSharedKeyCredential(Emulators.AZURE_ACCOUNT, Emulators.AZURE_ACCOUNT_KEY))
                    .buildClient();

            CheckResult receive = probes.queueReceive(queue);

            assertThat(receive.failed()).isTrue();
            assertThat(receive.hint()).contains("'Storage Queue Data Message Processor'");
        }
    }

    private static final Map<String, String> S3_XML = Map.of("Content-Type", "application/xml");

    @Test
    void s3PutDeniedByIamNamesTheActionAndResource() {
        try (var aws = new CannedHttpServer(403, S3_XML, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
                + "<Message>User: arn:aws:sts::000000000000:assumed-role/skyferry/skyferry is not authorized to perform:"
                + " s3:PutObject on resource: \"arn:aws:s3:::backup/from-azure/x\" because no identity-based policy allows the"
                + " s3:PutObject action</Message><RequestId>1</RequestId></Error>");
             S3Client s3 = AwsClients.s3(aws.endpoint(), "us-east-1", "AKIDEXAMPLE", "secret")) {

            CheckResult write = probes.s3Write(s3, "backup", "from-azure/", null);

            assertThat(write.failed()).isTrue();
            assertThat(write.detail()).startsWith("upload: HTTP 403 AccessDenied");
            assertThat(write.hint()).isEqualTo("allow " + AWS_ROLE + " s3:PutObject on arn:aws:s3:::backup/from-azure/*");
        }
    }

    @Test
    void s3PutDeniedByTheKmsKeyNamesTheKmsActions() {
        try (var aws = new CannedHttpServer(403, S3_XML, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
                + "<Message>User: arn:aws:sts::000000000000:assumed-role/skyferry/skyferry is not authorized to perform:"
                + " kms:GenerateDataKey on resource: arn:aws:kms:eu-west-1:000000000000:key/1234</Message></Error>");
             S3Client s3 = AwsClients.s3(aws.endpoint(), "us-east-1", "AKIDEXAMPLE", "secret")) {

            CheckResult write = probes.s3Write(s3, "backup", "", b -> b.serverSideEncryption(ServerSideEncryption.AWS_KMS)
                    .ssekmsKeyId("alias/backup"));

            assertThat(write.hint()).contains("kms:GenerateDataKey").contains("kms:Decrypt");
        }
    }

    @Test
    void sqsAttributesDeniedByIamNamesTheQueueActions() {
        try (var aws = new CannedHttpServer(400, Map.of("Content-Type", "application/x-amz-json-1.0",
                "x-amzn-query-error", "AccessDenied;Sender"),
                "{\"__type\":\"com.amazon.coral.service#AccessDeniedException\",\"message\":\"User: " + AWS_ROLE
                        + " is not authorized to perform: sqs:getqueueattributes on resource: arn:aws:sqs:us-east-1:000000000000:events\"}");
             SqsClient sqs = AwsClients.sqs(aws.endpoint(), "us-east-1", "AKIDEXAMPLE", "secret")) {

            CheckResult receive = probes.sqsReceive(sqs, aws.endpoint() + "/000000000000/events");

            assertThat(receive.failed()).isTrue();
            assertThat(receive.hint()).contains("sqs:ReceiveMessage").contains("sqs:GetQueueAttributes").contains(AWS_ROLE);
        }
    }
}
