package dev.skyferry.store.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** What the configured client puts on the wire, seen by a plain HTTP server standing in for S3. */
class S3ClientsTest {

    private record Received(Headers headers, byte[] body) {}

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @BeforeEach
    void startRecordingServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            received.add(new Received(exchange.getRequestHeaders(), exchange.getRequestBody().readAllBytes()));
            exchange.getResponseHeaders().add("ETag", "\"0123456789abcdef0123456789abcdef\"");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void overPlainHttpAPartIsSentWholeUnderOneSha256NotInSignedChunks() throws Exception {
        byte[] part = randomBytes(300 * 1024, 7); // more than one 128 KiB aws-chunked chunk

        uploadPart(plainHttpOptions(), part);

        assertThat(received).singleElement().satisfies(request -> {
            assertThat(request.headers().getFirst("x-amz-content-sha256"))
                    .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(part)));
            assertThat(request.headers().getFirst("Content-Encoding")).isNull();
            assertThat(request.body()).as("the part's bytes, unframed").isEqualTo(part);
        });
    }

    @Test
    void sdkChecksumsStillTravelWhenAPlainHttpClientSendsUnchunked() throws Exception {
        byte[] part = randomBytes(200 * 1024, 8);
        S3ClientOptions compatible = plainHttpOptions();
        S3ClientOptions withSdkChecksums = new S3ClientOptions(compatible.region(), compatible.endpoint(), true,
                compatible.credentials(), S3ClientOptions.Checksums.WHEN_SUPPORTED, compatible.maxConnections());

        uploadPart(withSdkChecksums, part);

        CRC32 crc32 = new CRC32();
        crc32.update(part);
        String expectedCrc32 = Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc32.getValue()).array());
        assertThat(received).singleElement().satisfies(request -> {
            assertThat(request.headers().getFirst("x-amz-checksum-crc32")).as("in a header, not a trailer").isEqualTo(expectedCrc32);
            assertThat(request.headers().getFirst("Content-Encoding")).isNull();
            assertThat(request.body()).isEqualTo(part);
        });
    }

    @Test
    void onlyAPlainHttpEndpointCountsAsPlainHttp() {
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret"));
        assertThat(S3Clients.isPlainHttp(S3ClientOptions.compatible("us-east-1", URI.create("http://127.0.0.1:9000"), credentials).endpoint()))
                .isTrue();
        assertThat(S3Clients.isPlainHttp(S3ClientOptions.compatible("us-east-1", URI.create("https://minio.example"), credentials).endpoint()))
                .isFalse();
        assertThat(S3Clients.isPlainHttp(S3ClientOptions.aws("eu-west-1", credentials).endpoint())).isFalse();
    }

    /** Uploads {@code part} as part 1 of an upload, with a body the SDK reads from a stream, as S3Store sends it. */
    private static void uploadPart(S3ClientOptions options, byte[] part) {
        try (S3Client client = S3Clients.client(options)) {
            client.uploadPart(r -> r.bucket("bucket").key("big.bin").uploadId("upload-1").partNumber(1)
                            .contentLength((long) part.length),
                    RequestBody.fromContentProvider(() -> new ByteArrayInputStream(part), part.length,
                            "application/octet-stream"));
        }
    }

    private S3ClientOptions plainHttpOptions() {
        return S3ClientOptions.compatible("us-east-1", URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")));
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
