package dev.skyferry.testkit;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

import java.net.URI;

/**
 * S3Proxy in this JVM on 127.0.0.1 with SigV4 authentication, storing in memory with jclouds'
 * {@code transient} provider. Chosen over S3Proxy's {@code transient-nio2} because it gives a completed
 * multipart upload S3's ETag form ({@code "<md5 of part md5s>-<parts>"}), which verification code
 * depends on; nio2 returns a plain MD5. The store outlives stop/start, so a fault test finds its
 * buckets and objects again.
 */
final class S3ProxyServer {

    private final BlobStoreContext store;
    private final String accessKeyId;
    private final String secretAccessKey;
    private int port;
    private S3Proxy proxy;

    S3ProxyServer(String accessKeyId, String secretAccessKey, int port) {
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
        this.port = port;
        this.store = ContextBuilder.newBuilder("transient")
                .credentials("identity", "credential")
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
