package dev.skyferry.testkit.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;

/**
 * What an OIDC relying party (AWS STS, Entra's federated credential check) does with a token's
 * issuer: fetch {@code <iss>/.well-known/openid-configuration}, follow {@code jwks_uri}, verify the
 * signature with the key named by {@code kid}. No caching, so an issuer outage shows at once.
 */
final class OidcKeys {

    /** The issuer could not be reached or answered badly (STS: IDPCommunicationError). */
    static final class Unreachable extends Exception {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The issuer answered but has no key that verifies the token (STS: "Couldn't retrieve verification key"). */
    static final class NoVerificationKey extends Exception {
        NoVerificationKey(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** True when {@code jwt}'s signature verifies with a key from {@code issuer}'s discovery document. */
    boolean verifies(String issuer, SignedJWT jwt) throws Unreachable, NoVerificationKey {
        try (HttpClient http = newClient()) {
            return verifies(http, issuer, jwt);
        }
    }

    private static boolean verifies(HttpClient http, String issuer, SignedJWT jwt) throws Unreachable, NoVerificationKey {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        JsonNode discovery = getJson(http, URI.create(base + "/.well-known/openid-configuration"));
        JsonNode jwksUri = discovery.get("jwks_uri");
        if (jwksUri == null) {
            throw new NoVerificationKey("the discovery document of " + issuer + " has no jwks_uri");
        }
        JWKSet keys;
        try {
            keys = JWKSet.parse(getJson(http, URI.create(jwksUri.asText())).toString());
        } catch (ParseException e) {
            throw new NoVerificationKey("the JWKS of " + issuer + " does not parse");
        }
        String kid = jwt.getHeader().getKeyID();
        JWK key = kid == null ? null : keys.getKeyByKeyId(kid);
        if (key == null) {
            throw new NoVerificationKey("no key with kid " + kid + " in the JWKS of " + issuer);
        }
        try {
            JWSVerifier verifier = key instanceof RSAKey rsa ? new RSASSAVerifier(rsa)
                    : new ECDSAVerifier((ECKey) key);
            return jwt.verify(verifier);
        } catch (JOSEException e) {
            return false;
        }
    }

    /**
     * A client per verification, closed after it: a kept-alive connection would hold the issuer's port on
     * the issuer's side through an outage (fault suite), and its restart on that port failed to bind.
     */
    private static HttpClient newClient() {
        return HttpClient.newBuilder()
                .sslContext(LocalTls.sslContext())
                .connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    private static JsonNode getJson(HttpClient http, URI uri) throws Unreachable {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new Unreachable(uri + " answered " + response.statusCode(), null);
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new Unreachable("could not reach " + uri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted fetching " + uri, e);
        }
    }
}
