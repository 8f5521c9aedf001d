package dev.skyferry.testkit;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * S3Proxy in this JVM on 127.0.0.1 with SigV4 authentication, storing in memory with jclouds'
 * {@code transient} provider. Chosen over S3Proxy's {@code transient-nio2} because it gives a completed
 * multipart upload S3's ETag form ({@code "<md5 of part md5s>-<parts>"}), which verification code
 * depends on; nio2 returns a plain MD5. The store outlives stop/start, so a fault test finds its
 * buckets and objects again.
 *
 * <p>With a disk directory it uses jclouds' {@code filesystem} provider instead, for objects larger
 * than a Java array can hold (the 2 GiB benchmark); that provider also gives completed multipart
 * uploads the {@code "<md5 of part md5s>-<parts>"} ETag.
 */
final class S3ProxyServer {

    private final BlobStoreContext store;
    private final String accessKeyId;
    private final String secretAccessKey;
    private int port;
    private S3Proxy proxy;

    S3ProxyServer(String accessKeyId, String secretAccessKey, int port, Optional<Path> diskDirectory) {
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
        this.port = port;
        this.store = diskDirectory.map(S3ProxyServer::onDisk).orElseGet(S3ProxyServer::inMemory);
    }

    private static BlobStoreContext inMemory() {
        return ContextBuilder.newBuilder("transient")
                .credentials("identity", "credential")
                .build(BlobStoreContext.class);
    }

    private static BlobStoreContext onDisk(Path directory) {
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", directory.toAbsolutePath().toString());
        return ContextBuilder.newBuilder("filesystem")
                .credentials("identity", "credential")
                .overrides(properties)
                .build(BlobStoreContext.class);
    }

    synchronized int port() {
        return port;
    }

    synchronized void start() {
        if (proxy != null) {
            return;
        }
        S3Proxy started = S3Proxy.builder()
                .blobStore(store.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKeyId, secretAccessKey)
                // S3Proxy knows no session credentials: it must let the X-Amz-Security-Token of STS
                // credentials through (unchecked) instead of refusing it as an unknown header.
                .ignoreUnknownHeaders(true)
                .build();
        try {
            started.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start S3Proxy on 127.0.0.1:" + port, e);
        }
        proxy = started;
        port = started.getPort();
    }

    synchronized void stop() {
        if (proxy == null) {
            return;
        }
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop S3Proxy on 127.0.0.1:" + port, e);
        } finally {
            proxy = null;
        }
    }

    /** Stops the server and drops the stored data. */
    synchronized void close() {
        try {
            stop();
        } finally {
            store.close();
        }
    }
}
