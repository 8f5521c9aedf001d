package dev.skyferry.testkit.identity;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Collections;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import no.nav.security.mock.oauth2.http.Ssl;

/**
 * The one self-signed "localhost" certificate the local issuers serve, and the JVM trust that goes
 * with it.
 *
 * <p>azure-identity insists on an https authority and builds its own TLS client, so the certificate
 * has to be trusted JVM-wide: we write a PKCS12 truststore holding the JDK's own CAs (or the store
 * the JVM was already told to use) <em>plus</em> this certificate, and point
 * {@code javax.net.ssl.trustStore} at it. Other HTTPS in the JVM keeps working because every CA it
 * trusted is still there. Clients we build ourselves use {@link #sslContext()} instead. Caveat: the
 * JDK's {@code SSLContext.getDefault()} is created once, so code that touched it before the first
 * issuer started keeps the old trust; Netty (azure-core) and fresh TrustManagerFactories read the
 * property when they are built.
 */
final class LocalTls {

    private static final String ALIAS = "skyferry-local-issuer";
    private static Ssl ssl;
    private static SSLContext clientContext;
    private static Path trustStore;

    private LocalTls() {}

    /** The server side: same key and certificate for every local issuer in this JVM. */
    static synchronized Ssl serverSsl() {
        if (ssl == null) {
            ssl = new Ssl();
            installJvmTrust();
        }
        return ssl;
    }

    /** A client context that trusts the local certificate and the JDK's CAs. */
    static synchronized SSLContext sslContext() {
        serverSsl();
        return clientContext;
    }

    /** The PKCS12 truststore file (password {@link #trustStorePassword()}), e.g. for a child JVM. */
    static synchronized Path trustStore() {
        serverSsl();
        return trustStore;
    }

    static String trustStorePassword() {
        return "changeit";
    }

    private static void installJvmTrust() {
        try {
            KeyStore serverKeys = ssl.getSslKeystore().getKeyStore();
            Certificate certificate = null;
            for (String alias : Collections.list(serverKeys.aliases())) {
                certificate = serverKeys.getCertificate(alias);
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            KeyStore existing = currentJvmTrust();
            for (String alias : Collections.list(existing.aliases())) {
                if (existing.isCertificateEntry(alias)) {
                    trust.setCertificateEntry(alias, existing.getCertificate(alias));
                }
            }
            trust.setCertificateEntry(ALIAS, certificate);

            trustStore = Files.createTempFile("skyferry-local-trust", ".p12");
            trustStore.toFile().deleteOnExit();
            try (OutputStream out = Files.newOutputStream(trustStore)) {
                trust.store(out, trustStorePassword().toCharArray());
            }
            System.setProperty("javax.net.ssl.trustStore", trustStore.toString());
            System.setProperty("javax.net.ssl.trustStorePassword", trustStorePassword());
            System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");

            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            clientContext = SSLContext.getInstance("TLS");
            clientContext.init(null, tmf.getTrustManagers(), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not build the local truststore", e);
        }
    }

    /** The store the JVM trusts now: javax.net.ssl.trustStore if set, else the JDK's cacerts. */
    private static KeyStore currentJvmTrust() throws IOException, GeneralSecurityException {
        String configured = System.getProperty("javax.net.ssl.trustStore");
        Path path = configured != null && !configured.isBlank() && !"NONE".equals(configured)
                ? Path.of(configured) : Path.of(System.getProperty("java.home"), "lib", "security", "cacerts");
        String password = System.getProperty("javax.net.ssl.trustStorePassword", "changeit");
        String type = System.getProperty("javax.net.ssl.trustStoreType", KeyStore.getDefaultType());
        KeyStore store = KeyStore.getInstance(configured != null && !configured.isBlank() ? type : KeyStore.getDefaultType());
        try (InputStream in = Files.newInputStream(path)) {
            store.load(in, password.toCharArray());
        }
        return store;
    }
}
