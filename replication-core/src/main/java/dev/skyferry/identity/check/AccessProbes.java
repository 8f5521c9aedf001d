package dev.skyferry.identity.check;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.queue.QueueClient;
import dev.skyferry.identity.IdentityFailure;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The permission half of {@code skyferry check}: small probes, each on a client the caller built
 * exactly as the worker will (same endpoint, same credential), each returning one row with the role or
 * IAM action to grant when it fails. Probes never consume a message, and write probes never create an
 * object or blob (so no storage event fires and nothing needs the delete permission the worker may
 * not have): they write an uncommitted block or an aborted multipart part under
 * {@value #PROBE_PREFIX}&lt;uuid&gt;.
 */
public final class AccessProbes {

    /** Where write probes put their object. */
    public static final String PROBE_PREFIX = ".skyferry-check/";

    private final String azurePrincipal;
    private final String awsPrincipal;
    private final String partition;

    /**
     * @param azurePrincipal who the Azure calls run as, for hints (e.g. "object id 1234..."); may be null
     * @param awsPrincipal   who the AWS calls run as (the assumed-role or role ARN; its partition is used
     *                       in the resource ARNs of hints); may be null
     */
    public AccessProbes(String azurePrincipal, String awsPrincipal) {
        this.azurePrincipal = azurePrincipal == null ? "the worker's identity" : azurePrincipal;
        this.awsPrincipal = awsPrincipal == null ? "the worker's role" : awsPrincipal;
        this.partition = awsPrincipal != null && awsPrincipal.startsWith("arn:") && awsPrincipal.split(":").length > 2
                ? awsPrincipal.split(":")[1] : "aws";
    }

    // ---- Azure Blob ----

    /** Read: properties of a blob that does not exist (404 = allowed; 403 = not). */
    public CheckResult blobRead(BlobContainerClient container) {
        String target = container.getBlobContainerUrl();
        try {
            container.getBlobClient(PROBE_PREFIX + UUID.randomUUID()).getProperties();
            return CheckResult.pass("blob read", target, "read allowed");
        } catch (RuntimeException e) {
            if (isBlobNotFound(e)) {
                return CheckResult.pass("blob read", target, "read allowed (probe blob absent, as expected)");
            }
            return CheckResult.fail("blob read", target, Failures.describe(e),
                    azureHint(e, "Storage Blob Data Reader (Storage Blob Data Contributor where it is also a target)", "container " + container.getBlobContainerName()));
        }
    }

    /**
     * Write: stages one uncommitted block on a {@value #PROBE_PREFIX}&lt;uuid&gt; blob and never commits
     * it — the write permission is exercised, yet no blob appears and no BlobCreated event fires
     * (which Skyferry would otherwise replicate); Azure discards uncommitted blocks within 7 days.
     */
    public CheckResult blobWrite(BlobContainerClient container) {
        String target = container.getBlobContainerUrl();
        String name = PROBE_PREFIX + UUID.randomUUID();
        String blockId = Base64.getEncoder().encodeToString("skyferry-check-0".getBytes(StandardCharsets.US_ASCII));
        try {
            container.getBlobClient(name).getBlockBlobClient().stageBlock(blockId, BinaryData.fromString("skyferry check"));
            return CheckResult.pass("blob write", target, "write allowed (staged an uncommitted block on " + name
                    + ": no blob, no event)");
        } catch (RuntimeException e) {
            return CheckResult.fail("blob write", target, Failures.describe(e),
                    azureHint(e, "Storage Blob Data Contributor", "container " + container.getBlobContainerName()));
        }
    }

    /**
     * Blob index tags, for rules with copyTags: where the container is a source, Get Blob Tags; where it
     * is a target, Set Blob Tags (what x-ms-tags on a replica's write needs); both on a blob that does not
     * exist (404 = allowed). Storage Blob Data Contributor grants neither.
     */
    public CheckResult blobTags(BlobContainerClient container, boolean read, boolean write) {
        String target = container.getBlobContainerUrl();
        var probe = container.getBlobClient(PROBE_PREFIX + UUID.randomUUID());
        try {
            if (read) {
                allowedIfBlobNotFound(probe::getTags);
            }
            if (write) {
                allowedIfBlobNotFound(() -> probe.setTags(Map.of("skyferry", "check")));
            }
            String allowed = read && write ? "tag read and write" : read ? "tag read" : "tag write";
            return CheckResult.pass("blob tags", target, allowed + " allowed (probe blob absent, as expected)");
        } catch (RuntimeException e) {
            return CheckResult.fail("blob tags", target, Failures.describe(e), azureHint(e,
                    "Storage Blob Data Owner, or a role with the data actions blobs/tags/read and blobs/tags/write"
                            + " (deploy/azure: 'Skyferry blob index tags')",
                    "container " + container.getBlobContainerName()));
        }
    }

    /** A call on a probe blob that does not exist: its 404 BlobNotFound means the call was allowed. */
    private static void allowedIfBlobNotFound(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            if (!isBlobNotFound(e)) {
                throw e;
            }
        }
    }

    private static boolean isBlobNotFound(RuntimeException e) {
        var azure = Failures.azure(e);
        return azure.isPresent() && azure.get().status() == 404 && "BlobNotFound".equals(azure.get().code());
    }

    // ---- Azure Queue ----

    /** Receive: peeks (reads without dequeuing — nothing is consumed or made invisible). */
    public CheckResult queueReceive(QueueClient queue) {
        String target = queue.getQueueUrl();
        try {
            queue.peekMessage();
            return CheckResult.pass("queue receive", target, "peek allowed (messages read, none dequeued);"
                    + " receive, delete and Update Message (…/queues/messages/write) are not probed: docs/identity.md");
        } catch (RuntimeException e) {
            return CheckResult.fail("queue receive", target, Failures.describe(e),
                    azureHint(e, "Storage Queue Data Message Processor", "queue " + queue.getQueueName()));
        }
    }

    /** Send (poison queue): not probed, a probe message would reach whoever reads that queue. */
    public CheckResult queueSend(QueueClient queue) {
        return CheckResult.skipped("queue send", queue.getQueueUrl(), "not probed: it would leave a message;"
                + " needs Storage Queue Data Message Sender for " + azurePrincipal);
    }

    // ---- S3 ----

    /**
     * Read: GetObject of a key that does not exist (404 NoSuchKey = allowed). GET, not HEAD: only a
     * body tells a missing key from a missing bucket.
     */
    public CheckResult s3Read(S3Client s3, String bucket, String prefix) {
        String key = (prefix == null ? "" : prefix) + PROBE_PREFIX + UUID.randomUUID();
        String target = "s3://" + bucket + "/" + (prefix == null ? "" : prefix);
        try {
            s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
            return CheckResult.pass("s3 read", target, "read allowed");
        } catch (RuntimeException e) {
            var aws = Failures.aws(e);
            if (aws.isPresent() && aws.get().status() == 404 && "NoSuchKey".equals(aws.get().code())) {
                return CheckResult.pass("s3 read", target, "read allowed (probe object absent, as expected)");
            }
            String hint = awsHint(e, "s3:GetObject on arn:" + partition + ":s3:::" + bucket + "/" + (prefix == null ? "" : prefix)
                    + "* (and s3:ListBucket on the bucket, so a missing object answers 404 instead of 403)", "bucket " + bucket);
            return CheckResult.fail("s3 read", target, Failures.describe(e), hint);
        }
    }

    /**
     * Write: starts a multipart upload of a {@value #PROBE_PREFIX}&lt;uuid&gt; object, uploads one small
     * part and aborts — needing only the worker's s3:PutObject and s3:AbortMultipartUpload, leaving
     * nothing behind and firing no ObjectCreated notification (which Skyferry would replicate).
     *
     * @param targetOptions the rule's upload options (storage class, SSE-KMS key), so KMS permissions are probed too
     */
    public CheckResult s3Write(S3Client s3, String bucket, String prefix, Consumer<CreateMultipartUploadRequest.Builder> targetOptions) {
        String key = (prefix == null ? "" : prefix) + PROBE_PREFIX + UUID.randomUUID();
        String target = "s3://" + bucket + "/" + (prefix == null ? "" : prefix);
        String resource = "arn:" + partition + ":s3:::" + bucket + "/" + (prefix == null ? "" : prefix) + "*";
        String uploadId;
        try {
            uploadId = s3.createMultipartUpload(b -> {
                b.bucket(bucket).key(key);
                if (targetOptions != null) {
                    targetOptions.accept(b);
                }
            }).uploadId();
        } catch (RuntimeException e) {
            return CheckResult.fail("s3 write", target, "upload: " + Failures.describe(e),
                    awsHint(e, "s3:PutObject on " + resource, "bucket " + bucket));
        }
        try {
            s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(1),
                    RequestBody.fromString("skyferry check"));
        } catch (RuntimeException e) {
            // The upload exists (kms:Decrypt, say, is what is missing): abort it, the probe leaves nothing behind.
            String leftBehind = aborted(s3, bucket, key, uploadId) ? ""
                    : "; the upload of " + key + " could not be aborted (a lifecycle rule AbortIncompleteMultipartUpload cleans it up)";
            return CheckResult.fail("s3 write", target, "upload: " + Failures.describe(e) + leftBehind,
                    awsHint(e, "s3:PutObject on " + resource, "bucket " + bucket));
        }
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            return CheckResult.pass("s3 write", target, "write allowed (uploaded a part of " + key + " and aborted: no object, no event)");
        } catch (RuntimeException e) {
            return CheckResult.fail("s3 write", target, "uploaded a part of " + key + " but could not abort: " + Failures.describe(e),
                    awsHint(e, "s3:AbortMultipartUpload on " + resource, "bucket " + bucket)
                            + "; a bucket lifecycle rule AbortIncompleteMultipartUpload cleans it up");
        }
    }

    private static boolean aborted(S3Client s3, String bucket, String key, String uploadId) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ---- SQS ----

    /** Receive: GetQueueAttributes (a receive would take a message and count against its maxReceiveCount). */
    public CheckResult sqsReceive(SqsClient sqs, String queueUrl) {
        try {
            var attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes();
            return CheckResult.pass("sqs receive", queueUrl, "sqs:GetQueueAttributes allowed (~"
                    + attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES) + " messages); ReceiveMessage,"
                    + " DeleteMessage and ChangeMessageVisibility are not probed (it would consume a message)");
        } catch (RuntimeException e) {
            return CheckResult.fail("sqs receive", queueUrl, Failures.describe(e),
                    awsHint(e, "sqs:GetQueueAttributes, sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility"
                            + " on the queue", "queue " + queueUrl));
        }
    }

    /** Send (dead-letter queue): not probed, a probe message would land among real dead letters. */
    public CheckResult sqsSend(SqsClient sqs, String queueUrl) {
        return CheckResult.skipped("sqs send", queueUrl, "not probed: it would leave a message; needs sqs:SendMessage for " + awsPrincipal);
    }

    // ---- hints ----

    private String azureHint(Throwable failure, String role, String scope) {
        Optional<IdentityFailure> identity = Failures.identity(failure);
        if (identity.isPresent()) {
            return identity.get().hint();
        }
        var azure = Failures.azure(failure).orElse(null);
        if (azure == null) {
            return null;
        }
        String code = azure.code() == null ? "" : azure.code();
        return switch (code) {
            case "AuthorizationPermissionMismatch" -> "grant " + azurePrincipal + " the role '" + role + "' on the " + scope
                    + " (or its storage account); Owner/Contributor grant no data access; role assignments take a few minutes";
            case "AuthorizationFailure" -> "the storage account refused the request before checking roles: check its"
                    + " firewall / private endpoint rules allow this worker";
            case "KeyBasedAuthenticationNotPermitted" -> "the account disallows shared key: use an Entra identity (azure.auth.mode)";
            case "InvalidAuthenticationInfo", "AuthenticationFailed" -> "the token or key was not accepted: check azure.auth and that the token is for https://storage.azure.com";
            case "ContainerNotFound" -> "create the " + scope;
            case "QueueNotFound" -> "create the " + scope;
            default -> azure.status() == 403 ? "grant " + azurePrincipal + " the role '" + role + "' on the " + scope : null;
        };
    }

    private String awsHint(Throwable failure, String actions, String scope) {
        Optional<IdentityFailure> identity = Failures.identity(failure);
        if (identity.isPresent()) {
            return identity.get().hint();
        }
        var aws = Failures.aws(failure).orElse(null);
        if (aws == null) {
            return null;
        }
        String code = aws.code() == null ? "" : aws.code();
        String message = aws.message() == null ? "" : aws.message();
        if (message.contains("kms:")) {
            return "allow " + awsPrincipal + " kms:GenerateDataKey and kms:Decrypt on the bucket's KMS key (key policy or IAM)";
        }
        return switch (code) {
            case "AccessDenied", "AccessDeniedException", "AWS.SimpleQueueService.AccessDenied" -> "allow " + awsPrincipal + " " + actions;
            case "NoSuchBucket" -> "create the " + scope + " (or fix its name)";
            case "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist" -> "create the " + scope + " (or fix its URL)";
            case "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken" ->
                    "the AWS credentials were not accepted (" + code + "): check aws.auth";
            default -> aws.status() == 403 ? "allow " + awsPrincipal + " " + actions : null;
        };
    }
}
