package dev.skyferry.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.ObjectStore.MultipartWrite;
import dev.skyferry.store.ObjectStore.OpenObject;
import dev.skyferry.store.ObjectStoreContract;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.StoreException.Kind;
import dev.skyferry.store.StoreKind;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import dev.skyferry.testkit.LogCapture;
import dev.skyferry.testkit.fault.FaultProxy;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

@ExtendWith(EmulatorExtension.class)
class S3StoreTest extends ObjectStoreContract {

    static final int S3_MIN_PART = 5 * 1024 * 1024;

    private final Emulators emulators;
    private final S3ClientOptions options;
    private final S3Client s3;
    private final S3Presigner presigner;
    private String bucket;

    S3StoreTest(Emulators emulators) {
        this.emulators = emulators;
        this.options = optionsFor(emulators.s3Endpoint(), emulators.awsSecretAccessKey());
        this.s3 = S3Clients.client(options);
        this.presigner = S3Clients.presigner(options);
    }

    private S3ClientOptions optionsFor(URI endpoint, String secret) {
        return S3ClientOptions.compatible(emulators.awsRegion(), endpoint,
                StaticCredentialsProvider.create(AwsBasicCredentials.create(emulators.awsAccessKeyId(), secret)));
    }

    @Override
    protected ObjectStore newStore() {
        bucket = Emulators.freshName("contract");
        s3.createBucket(b -> b.bucket(bucket));
        return new S3Store(s3, presigner, bucket);
    }

    @Override
    protected ObjectStore storeOnMissingContainer() {
        return new S3Store(s3, presigner, Emulators.freshName("missing"));
    }

    @Override
    protected int minPartSize() {
        return S3_MIN_PART;
    }

    @Override
    protected String conditionalCompleteNotEnforcedReason() {
        return "S3Proxy checks a multipart upload's If-None-Match when it starts, not when it completes as S3 does"
                + " (verified on AWS only)";
    }

    @Override
    protected String tagsUnsupportedReason() {
        return "S3Proxy 2.6 implements no object tagging (x-amz-tagging, ?tagging); verified on AWS only";
    }

    @Test
    void describesItselfAsTheBucket() {
        assertThat(store.kind()).isEqualTo(StoreKind.S3);
        assertThat(store.account()).isNull();
        assertThat(store.container()).isEqualTo(bucket);
        assertThat(store.uriOf("dir/a b+c%.txt").toString()).isEqualTo("s3://" + bucket + "/dir/a%20b+c%25.txt");
    }

    @Test
    void presignedGetFetchesTheObjectWithoutCredentials() throws Exception {
        byte[] content = randomBytes(4000, 50);
        store.put("shared/a b+c.bin", ByteBuffer.wrap(content), spec(ObjectAttributes.NONE, content), Precondition.NONE);

        URL url = ((S3Store) store).presignGet("shared/a b+c.bin", Precondition.NONE, Duration.ofMinutes(5));

        assertThat(url.getQuery()).contains("X-Amz-Signature=");
        HttpResponse<byte[]> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(url.toURI()).header("Range", "bytes=0-3999").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isIn(200, 206);
        assertThat(response.body()).isEqualTo(content);
    }

    @Test
    void presignRefusesValiditiesSigV4CannotSign() {
        S3Store s3Store = (S3Store) store;
        assertThatThrownBy(() -> s3Store.presignGet("k", Precondition.NONE, Duration.ofDays(8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT192H");
        assertThatThrownBy(() -> s3Store.presignGet("k", Precondition.NONE, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void multipartEtagIsNeverReportedAsAnMd5() {
        byte[] part = randomBytes(S3_MIN_PART, 51);
        MultipartWrite write = store.startMultipart("multi.bin", spec(ObjectAttributes.NONE, part), Precondition.NONE);
        write.uploadPart(1, ByteBuffer.wrap(part), md5(part));
        write.uploadPart(2, ByteBuffer.wrap(new byte[] {7}), md5(new byte[] {7}));
        var result = write.complete();

        assertThat(result.serviceMd5()).isNull();
        ObjectInfo info = store.stat("multi.bin").orElseThrow();
        assertThat(info.etag()).contains("-");
        assertThat(info.contentMd5()).isNull();
    }

    @Test
    void overPlainHttpAPartGoesWithoutMd5AndAByteFlippedOnTheWayIsRefusedByItsSignedHash() {
        byte[] part = randomBytes(S3_MIN_PART, 55);
        try (FaultProxy proxy = FaultProxy.inFrontOf(emulators.s3Endpoint());
             S3Client proxiedClient = S3Clients.client(optionsFor(proxy.proxiedUri(emulators.s3Endpoint()), emulators.awsSecretAccessKey()))) {
            S3Store proxied = new S3Store(proxiedClient, presigner, bucket);
            proxy.corruptNextRequestBodies(1, part.length);
            MultipartWrite write = proxied.startMultipart("flipped.bin", spec(ObjectAttributes.NONE, part), Precondition.NONE);
            assertThat(write.needsPartMd5()).isFalse();

            assertThatThrownBy(() -> write.uploadPart(1, ByteBuffer.wrap(part), null))
                    .isInstanceOfSatisfying(StoreException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.CHECKSUM_REFUSED);
                        assertThat(e.errorCode()).isEqualTo("XAmzContentSHA256Mismatch");
                    });
            assertThat(proxy.faultsInjected()).isEqualTo(1);

            write.uploadPart(1, ByteBuffer.wrap(part), null);
            write.complete();
        }
        try (OpenObject open = store.open("flipped.bin", null, Precondition.NONE)) {
            assertThat(readAll(open)).isEqualTo(part);
        }
    }

    @Test
    void partsNeedTheirMd5OverHttpsAndWhereTheEndpointDoesNotCheckPayloadHashes() {
        S3Store plainHttp = new S3Store(s3, presigner, bucket);
        S3Store plainHttpUnchecked = new S3Store(s3, presigner, bucket, new S3Store.EndpointChecks(true, false));
        assertThat(plainHttp.partsNeedMd5()).isFalse();
        assertThat(plainHttpUnchecked.partsNeedMd5()).isTrue();
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret"));
        try (S3Client https = S3Clients.client(S3ClientOptions.compatible("us-east-1", URI.create("https://minio.example"), credentials));
             S3Client aws = S3Clients.client(S3ClientOptions.aws("eu-west-1", credentials))) {
            assertThat(new S3Store(https, presigner, bucket).partsNeedMd5()).isTrue();
            assertThat(new S3Store(aws, presigner, bucket).partsNeedMd5()).isTrue();
        }
    }

    @Test
    void writesCarryTheRulesStorageClass() {
        byte[] content = randomBytes(100, 54);
        ObjectStore.WriteSpec infrequent = new ObjectStore.WriteSpec(ObjectAttributes.NONE, content.length, md5(content),
                new ObjectStore.TargetOptions("STANDARD_IA", null, null, null, null));

        store.put("ia.bin", ByteBuffer.wrap(content), infrequent, Precondition.NONE);
        MultipartWrite write = store.startMultipart("ia-multi.bin", infrequent, Precondition.NONE);
        write.uploadPart(1, ByteBuffer.wrap(content), md5(content));
        write.complete();

        assertThat(s3.headObject(b -> b.bucket(bucket).key("ia.bin")).storageClassAsString()).isEqualTo("STANDARD_IA");
        assertThat(s3.headObject(b -> b.bucket(bucket).key("ia-multi.bin")).storageClassAsString()).isEqualTo("STANDARD_IA");
    }

    @Test
    void onlyPlainSingleUploadEtagsAreMd5s() {
        String md5Hex = "0123456789abcdef0123456789abcdef";
        assertThat(S3Store.isPlainMd5(md5Hex, null, null)).isTrue();
        assertThat(S3Store.isPlainMd5(md5Hex, "AES256", null)).isTrue();
        assertThat(S3Store.isPlainMd5(md5Hex, "aws:kms", null)).isFalse();
        assertThat(S3Store.isPlainMd5(md5Hex, "aws:kms:dsse", null)).isFalse();
        assertThat(S3Store.isPlainMd5(md5Hex, null, "AES256")).as("SSE-C").isFalse();
        assertThat(S3Store.isPlainMd5("0123456789abcdef0123456789abcdef-3", null, null)).isFalse();
        assertThat(S3Store.isPlainMd5(null, null, null)).isFalse();
    }

    @Test
    void replaceMetadataOfAnObjectBeyondCopyObjectsLimitCopiesPartByPart() {
        // Lowered limits reach the >5 GiB path with a 5 MiB + 10 B object in two UploadPartCopy parts.
        S3Store smallLimits = new S3Store(s3, presigner, bucket, S3Store.EndpointChecks.AWS, 1024, S3_MIN_PART);
        byte[] content = randomBytes(S3_MIN_PART + 10, 52);
        // No tags: S3Proxy has no tagging. On AWS the tags are read and set on the new upload.
        ObjectAttributes attributes = new ObjectAttributes("video/mp4", null, null, "inline", "max-age=1",
                Map.of("skyferry_replica", "1"), Map.of());
        String etag = smallLimits.put("movie.mp4", ByteBuffer.wrap(content), spec(attributes, content), Precondition.NONE).etag();

        smallLimits.replaceMetadata("movie.mp4", Map.of("skyferry_replica", "1", "skyferry_source_deleted_at", "now"),
                Precondition.ifMatch(etag));

        ObjectInfo after = smallLimits.stat("movie.mp4").orElseThrow();
        assertThat(after.attributes().userMetadata()).containsEntry("skyferry_source_deleted_at", "now");
        assertThat(after.attributes().contentType()).isEqualTo("video/mp4");
        assertThat(after.attributes().cacheControl()).isEqualTo("max-age=1");
        assertThat(after.etag()).contains("-");
        try (OpenObject open = smallLimits.open("movie.mp4", null, Precondition.NONE)) {
            assertThat(readAll(open)).isEqualTo(content);
        }
    }

    @Test
    void closingAHalfReadObjectReleasesTheConnection() throws Exception {
        byte[] content = randomBytes(S3_MIN_PART, 53);
        store.put("half.bin", ByteBuffer.wrap(content), spec(ObjectAttributes.NONE, content), Precondition.NONE);
        S3ClientOptions twoConnections = new S3ClientOptions(options.region(), options.endpoint(), true,
                options.credentials(), null, 2);
        try (S3Client small = S3Clients.client(twoConnections)) {
            S3Store store = new S3Store(small, presigner, bucket);
            // With a leaked connection per open, the third open would wait for the pool and fail.
            for (int i = 0; i < 5; i++) {
                try (OpenObject open = store.open("half.bin", null, Precondition.NONE)) {
                    assertThat(open.content().read()).isEqualTo(content[0] & 0xFF);
                }
            }
        }
    }

    @Test
    void throttlingIsReportedWithTheServiceCode() {
        try (FaultProxy proxy = FaultProxy.inFrontOf(emulators.s3Endpoint());
             S3Client proxiedClient = S3Clients.client(optionsFor(proxy.proxiedUri(emulators.s3Endpoint()), emulators.awsSecretAccessKey()))) {
            S3Store proxied = new S3Store(proxiedClient, presigner, bucket);
            proxy.failNextRequests(1, FaultProxy.CannedResponse.s3SlowDown());

            assertThatThrownBy(() -> proxied.readTags("any.bin"))
                    .isInstanceOfSatisfying(StoreException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.THROTTLED);
                        assertThat(e.httpStatus()).isEqualTo(503);
                        assertThat(e.errorCode()).isEqualTo("SlowDown");
                    });
            assertThat(proxied.stat("any.bin")).as("one attempt only: the SDK does not retry behind our back").isEmpty();
        }
    }

    @Test
    void brokenConnectionsAreUnavailable() {
        try (FaultProxy proxy = FaultProxy.inFrontOf(emulators.s3Endpoint());
             S3Client proxiedClient = S3Clients.client(optionsFor(proxy.proxiedUri(emulators.s3Endpoint()), emulators.awsSecretAccessKey()))) {
            S3Store proxied = new S3Store(proxiedClient, presigner, bucket);
            proxy.resetConnections(true);

            assertThatThrownBy(() -> proxied.stat("any.bin"))
                    .isInstanceOfSatisfying(StoreException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
                        assertThat(e.httpStatus()).isZero();
                    });
        }
    }

    @Test
    void aMultipartCreateWhoseAnswerMayBeLostIsLoggedForTheLifecycleRule() {
        try (FaultProxy proxy = FaultProxy.inFrontOf(emulators.s3Endpoint());
             S3Client proxiedClient = S3Clients.client(optionsFor(proxy.proxiedUri(emulators.s3Endpoint()), emulators.awsSecretAccessKey()));
             LogCapture logs = new LogCapture(Map.of(S3Store.class.getName(), Level.WARN))) {
            S3Store proxied = new S3Store(proxiedClient, presigner, bucket);
            proxy.resetConnections(true);

            assertThatThrownBy(() -> proxied.startMultipart("cut answer.bin", spec(ObjectAttributes.NONE, new byte[S3_MIN_PART]), Precondition.NONE))
                    .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line)
                    .contains("start multipart upload of " + bucket + "/cut answer.bin: ")
                    .contains("lifecycle rule aborts it"));
        }
    }

    @Test
    void aMultipartCreateThatNeverConnectedIsNotReportedAsPossiblyCreated() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (S3Client unreachable = S3Clients.client(optionsFor(URI.create("http://127.0.0.1:" + closedPort), emulators.awsSecretAccessKey()));
             LogCapture logs = new LogCapture(Map.of(S3Store.class.getName(), Level.WARN))) {
            S3Store store = new S3Store(unreachable, presigner, bucket);

            assertThatThrownBy(() -> store.startMultipart("never sent.bin", spec(ObjectAttributes.NONE, new byte[S3_MIN_PART]), Precondition.NONE))
                    .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
            assertThat(logs.lines()).noneSatisfy(line -> assertThat(line).contains("lifecycle rule"));
        }
    }

    @Test
    void aConnectionCutMidReadFailsTheReadInsteadOfEndingItEarly() throws Exception {
        byte[] content = randomBytes(16 * 1024 * 1024, 55);
        store.put("long.bin", ByteBuffer.wrap(content), spec(ObjectAttributes.NONE, content), Precondition.NONE);
        try (FaultProxy proxy = FaultProxy.inFrontOf(emulators.s3Endpoint());
             S3Client proxiedClient = S3Clients.client(optionsFor(proxy.proxiedUri(emulators.s3Endpoint()), emulators.awsSecretAccessKey()))) {
            S3Store proxied = new S3Store(proxiedClient, presigner, bucket);
            try (OpenObject open = proxied.open("long.bin", null, Precondition.NONE)) {
                byte[] head = open.content().readNBytes(1024 * 1024);
                assertThat(head).isEqualTo(java.util.Arrays.copyOf(content, head.length));
                proxy.resetConnections(true);

                // Content-Length tells the client how much is missing: a short, clean end of stream
                // would be a silently truncated replica.
                assertThatThrownBy(() -> open.content().readAllBytes()).isInstanceOf(java.io.IOException.class);
            }
        }
    }

    @Test
    void wrongSecretIsForbidden() {
        try (S3Client wrong = S3Clients.client(optionsFor(emulators.s3Endpoint(), "not-the-secret"))) {
            // Not readTags: S3Proxy answers "tagging" with NotImplemented before it checks the signature.
            assertThatThrownBy(() -> new S3Store(wrong, presigner, bucket).stat("any.bin"))
                    .isInstanceOfSatisfying(StoreException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.FORBIDDEN);
                        assertThat(e.httpStatus()).isEqualTo(403);
                        assertThat(e.getMessage()).doesNotContain("not-the-secret");
                    });
        }
    }

    @Test
    void clientOptionsListEveryProblem() {
        assertThatThrownBy(() -> new S3ClientOptions(" ", URI.create("relative/path"), true, null, null, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("region must not be blank")
                .hasMessageContaining("endpoint must be an absolute")
                .hasMessageContaining("credentials must not be null")
                .hasMessageContaining("maxConnections must be >= 1, was 0");
    }
}
