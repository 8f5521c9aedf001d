package dev.skyferry.testkit.identity;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.skyferry.testkit.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.MockWebServerWrapper;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import okhttp3.Headers;

/**
 * A local stand-in for Entra ID, over TLS on a loopback port: mock-oauth2-server serves discovery
 * and JWKS, and a token route in front of it answers {@code POST /<tenant>/oauth2/v2.0/token} the way
 * Entra does for app-only tokens:
 * <ul>
 *   <li>client secret: checked against the registered application;</li>
 *   <li>client assertion (workload identity, aws-federated): matched against the client's federated
 *       identity credentials — issuer and subject exactly, audience {@value #TOKEN_EXCHANGE_AUDIENCE},
 *       signature verified with keys fetched from the assertion issuer's discovery document, expiry;</li>
 *   <li>the scope's resource must be a registered API (AADSTS500011 otherwise); with "assignment
 *       required" the caller needs an app role assignment (AADSTS501051 otherwise);</li>
 *   <li>tokens are shaped like Entra's: v1 ({@code iss = <base>/<tenant>/}, like
 *       {@code https://sts.windows.net/<tenant>/}, {@code aud} = app ID URI, {@code appid}) or, for an
 *       API with accessTokenAcceptedVersion 2, v2 ({@code iss = <base>/<tenant>/v2.0}, {@code aud} =
 *       the API's client id, {@code azp}); {@code oid}/{@code sub} = the caller's object id.</li>
 * </ul>
 * Errors carry Entra's JSON shape and AADSTS codes, so azure-identity surfaces them as it would.
 *
 * <p>Use it as {@code AZURE_AUTHORITY_HOST} = {@link #authorityHost()} with instance discovery off
 * (Skyferry turns it off for non-Entra hosts). The JVM is made to trust its certificate
 * ({@link LocalTls}). {@link #stop()}/{@link #restart()} simulate an outage on the same port and keys.
 */
public final class LocalOidcIssuer implements AutoCloseable {

    /** How long {@link #restart} keeps trying to bind its old port. */
    private static final Duration RESTART_BIND_PATIENCE = Duration.ofSeconds(15);

    public static final String TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";
    /** The issuer id, on the same server, of the stand-in Kubernetes service-account issuer. */
    public static final String SERVICE_ACCOUNT_ISSUER_ID = "cluster-oidc";
    private static final Set<String> BUILT_IN_RESOURCES = Set.of("https://storage.azure.com");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An application's service principal or a managed identity. */
    public record Principal(String displayName, String clientId, String objectId) {}

    /** A token handed out, with its expiry. */
    record Issued(String token, Instant expiresAt) {}

    /** The issuer is stopped (outage). */
    static final class IssuerDown extends Exception {
        IssuerDown() {
            super("issuer stopped");
        }
    }

    /** An API an app registration exposes (its application ID URI), as a token audience. */
    public static final class Api {
        private final String displayName;
        private final String appIdUri;
        private final String clientId = UUID.randomUUID().toString();
        private final Set<String> assignedObjectIds = ConcurrentHashMap.newKeySet();
        private volatile int acceptedTokenVersion = 1;
        private volatile boolean assignmentRequired;

        private Api(String displayName, String appIdUri) {
            this.displayName = displayName;
            this.appIdUri = appIdUri;
        }

        public String appIdUri() {
            return appIdUri;
        }

        public String clientId() {
            return clientId;
        }

        /** The manifest's accessTokenAcceptedVersion: 1 (null) or 2. */
        public Api acceptedTokenVersion(int version) {
            if (version != 1 && version != 2) {
                throw new IllegalArgumentException("accessTokenAcceptedVersion is 1 or 2, was " + version);
            }
            this.acceptedTokenVersion = version;
            return this;
        }

        /** The enterprise app's "Assignment required?" switch. */
        public Api assignmentRequired(boolean required) {
            this.assignmentRequired = required;
            return this;
        }

        /** An app role assignment of this API to the principal. */
        public Api assign(Principal principal) {
            assignedObjectIds.add(principal.objectId());
            return this;
        }

        public Api unassign(Principal principal) {
            assignedObjectIds.remove(principal.objectId());
            return this;
        }
    }

    private record FederatedCredential(String issuer, String subject, String audience) {}

    private final String tenantId = UUID.randomUUID().toString();
    private final OAuth2TokenProvider tokenProvider = new OAuth2TokenProvider(new KeyProvider(List.of(), "RS256"), (Instant) null);
    private final Map<String, Principal> principals = new ConcurrentHashMap<>();
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final Map<String, X509Certificate> certificates = new ConcurrentHashMap<>();
    private final Map<String, List<FederatedCredential>> federatedCredentials = new ConcurrentHashMap<>();
    private final Map<String, Api> apis = new ConcurrentHashMap<>();
    private final List<ManagedIdentityEndpoint> endpoints = new CopyOnWriteArrayList<>();
    private final AtomicInteger tokensIssued = new AtomicInteger();
    private final List<String> issuedTokens = new CopyOnWriteArrayList<>();
    private final OidcKeys oidcKeys = new OidcKeys();
    private volatile Duration tokenLifetime = Duration.ofHours(1);
    private volatile boolean keysUnavailable;
    private volatile boolean signingKeyWithheld;
    private volatile boolean tokensUnavailable;
    private volatile MockOAuth2Server server;
    private final int port;

    private LocalOidcIssuer(int requestedPort) {
        this.server = newServer();
        startServer(requestedPort);
        this.port = server.url("").port();
    }

    /** Starts an issuer on a free loopback port (below the ephemeral range: see {@link #restart}) with a fresh random tenant. */
    public static LocalOidcIssuer start() {
        return new LocalOidcIssuer(LoopbackPorts.freeOutsideEphemeralRange());
    }

    /** Starts an issuer on a fixed port (e.g. for {@code skyferry local}). */
    public static LocalOidcIssuer start(int port) {
        return new LocalOidcIssuer(port);
    }

    public String tenantId() {
        return tenantId;
    }

    /** For azure.auth.authorityHost / AZURE_AUTHORITY_HOST. */
    public URI authorityHost() {
        return URI.create("https://localhost:" + port);
    }

    /** The iss of v1 tokens; stands in for {@code https://sts.windows.net/<tenant>/} — note the trailing slash. */
    public String v1Issuer() {
        return authorityHost() + "/" + tenantId + "/";
    }

    /** The iss of v2 tokens; stands in for {@code https://login.microsoftonline.com/<tenant>/v2.0}. */
    public String v2Issuer() {
        return authorityHost() + "/" + tenantId + "/v2.0";
    }

    /** The stand-in Kubernetes service-account issuer (an AKS cluster's OIDC issuer URL). */
    public String serviceAccountIssuer() {
        return authorityHost() + "/" + SERVICE_ACCOUNT_ISSUER_ID;
    }

    /** A client context trusting this issuer's certificate (and the JDK's CAs). */
    public SSLContext sslContext() {
        return LocalTls.sslContext();
    }

    /** The PKCS12 truststore (password "changeit") with the local certificate, e.g. for a child JVM. */
    public static Path trustStore() {
        return LocalTls.trustStore();
    }

    /** Lifetime of the access tokens issued from now on (Entra: 60–90 min). */
    public LocalOidcIssuer tokenLifetime(Duration lifetime) {
        this.tokenLifetime = lifetime;
        return this;
    }

    /** Access tokens issued so far (token endpoint and managed identity endpoints). */
    public int tokensIssued() {
        return tokensIssued.get();
    }

    /** Every access token issued so far, e.g. to assert none of them reached a log. */
    public List<String> issuedTokens() {
        return List.copyOf(issuedTokens);
    }

    /** An app registration's service principal; {@code secret} may be null (no client secret). */
    public Principal addApplication(String displayName, String secret) {
        Principal principal = new Principal(displayName, UUID.randomUUID().toString(), UUID.randomUUID().toString());
        principals.put(principal.clientId(), principal);
        if (secret != null) {
            secrets.put(principal.clientId(), secret);
        }
        return principal;
    }

    /** An app registration that authenticates with a certificate: {@code certificate} is its uploaded public part. */
    public Principal addApplicationWithCertificate(String displayName, X509Certificate certificate) {
        Principal principal = addApplication(displayName, (String) null);
        certificates.put(principal.clientId(), certificate);
        return principal;
    }

    /** A (user- or system-assigned) managed identity. */
    public Principal addManagedIdentity(String displayName) {
        return addApplication(displayName, null);
    }

    /** A federated identity credential on the principal (audience api://AzureADTokenExchange). */
    public void addFederatedCredential(Principal principal, String issuer, String subject) {
        federatedCredentials.computeIfAbsent(principal.clientId(), id -> new CopyOnWriteArrayList<>())
                .add(new FederatedCredential(issuer, subject, TOKEN_EXCHANGE_AUDIENCE));
    }

    /** An app registration exposing an API under {@code appIdUri} (e.g. api://skyferry-aws-federation). */
    public Api exposeApi(String displayName, String appIdUri) {
        Api api = new Api(displayName, appIdUri);
        apis.put(appIdUri, api);
        apis.put(api.clientId(), api);
        return api;
    }

    /**
     * A projected Kubernetes service-account token for {@code system:serviceaccount:<namespace>:<name>},
     * audience api://AzureADTokenExchange, signed by {@link #serviceAccountIssuer()}.
     */
    public String serviceAccountToken(String namespace, String serviceAccount, Duration lifetime) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", serviceAccountIssuer());
        claims.put("sub", "system:serviceaccount:" + namespace + ":" + serviceAccount);
        claims.put("aud", List.of(TOKEN_EXCHANGE_AUDIENCE));
        claims.put("kubernetes.io", Map.of("namespace", namespace, "serviceaccount", Map.of("name", serviceAccount)));
        return tokenProvider.jwt(claims, lifetime, SERVICE_ACCOUNT_ISSUER_ID).serialize();
    }

    /** Writes a service-account token where the AKS webhook would project it. */
    public Path writeServiceAccountToken(Path file, String namespace, String serviceAccount) {
        try {
            Files.writeString(file, serviceAccountToken(namespace, serviceAccount, Duration.ofHours(1)));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An App Service–style managed identity endpoint issuing tokens for the given identities.
     *
     * @param systemAssigned the identity used without client_id; may be null
     */
    public ManagedIdentityEndpoint startAppServiceEndpoint(Principal systemAssigned, Principal... userAssigned) {
        try {
            var endpoint = new ManagedIdentityEndpoint(this, systemAssigned, userAssigned);
            endpoints.add(endpoint);
            return endpoint;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Partial outage: the tenant's discovery document and JWKS answer 503 while tokens are still
     * issued — what a relying party such as STS sees when it cannot fetch the issuer's keys.
     */
    public LocalOidcIssuer keysUnavailable(boolean unavailable) {
        this.keysUnavailable = unavailable;
        return this;
    }

    /**
     * The tenant's JWKS answers, but without the key its tokens are signed with (a key rollover the
     * JWKS does not show yet): what AWS STS answers with InvalidIdentityToken "Couldn't retrieve
     * verification key from your identity provider".
     */
    public LocalOidcIssuer signingKeyWithheld(boolean withheld) {
        this.signingKeyWithheld = withheld;
        return this;
    }

    /**
     * Partial outage: the token endpoint answers 503 temporarily_unavailable (AADSTS90033) while
     * discovery and keys still answer — Entra throttling or failing token requests.
     */
    public LocalOidcIssuer tokensUnavailable(boolean unavailable) {
        this.tokensUnavailable = unavailable;
        return this;
    }

    /** Outage: the port stops answering. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server = null;
        }
    }

    /**
     * Back after an outage: same port, keys, certificate and directory. While it was down the port may
     * have gone to another socket for a moment (a closing one; an outgoing connection's, unless the port
     * lies below the ephemeral range, as {@link #start()} chooses), so binding is tried again for a while
     * before giving up.
     */
    public synchronized void restart() {
        if (server != null) {
            return;
        }
        long deadline = System.nanoTime() + RESTART_BIND_PATIENCE.toNanos();
        while (true) {
            server = newServer();
            try {
                startServer(port);
                return;
            } catch (UncheckedIOException e) {
                server = null;
                if (!(e.getCause() instanceof java.net.BindException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while restarting the issuer on port " + port, e);
            }
        }
    }

    @Override
    public void close() {
        endpoints.forEach(ManagedIdentityEndpoint::close);
        stop();
    }

    private MockOAuth2Server newServer() {
        var config = new OAuth2Config(false, null, null, false, tokenProvider, Set.of(),
                new MockWebServerWrapper(LocalTls.serverSsl()));
        return new MockOAuth2Server(config, new KeysOutageRoute(), new TokenRoute());
    }

    private void startServer(int requestedPort) {
        try {
            // Bound to loopback only, named "localhost" so URLs match the certificate's name.
            server.start(InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1}), requestedPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Issues an access token to {@code principal} for {@code resource} (an app ID URI or API client id). */
    Issued issueFor(Principal principal, String resource, boolean managedIdentity) throws EntraError, IssuerDown {
        if (server == null) {
            throw new IssuerDown();
        }
        String normalized = resource.endsWith("/") ? resource.substring(0, resource.length() - 1) : resource;
        Api api = apis.get(normalized);
        if (api == null && !BUILT_IN_RESOURCES.contains(normalized)) {
            throw EntraError.invalidResource(500011, "The resource principal named " + resource
                    + " was not found in the tenant named " + tenantId + ". This can happen if the application has not been"
                    + " installed by the administrator of the tenant or consented to by any user in the tenant.");
        }
        if (api != null && api.assignmentRequired && !api.assignedObjectIds.contains(principal.objectId())) {
            throw EntraError.invalidGrant(501051, "Application '" + principal.clientId() + "'(" + principal.displayName()
                    + ") is not assigned to a role for the application '" + api.appIdUri + "'(" + api.displayName + ").");
        }
        boolean v2 = api != null && api.acceptedTokenVersion == 2;
        Instant now = Instant.now();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", v2 ? api.clientId : (api != null ? api.appIdUri : normalized));
        claims.put("iss", v2 ? v2Issuer() : v1Issuer());
        claims.put(v2 ? "azp" : "appid", principal.clientId());
        claims.put(v2 ? "azpacr" : "appidacr", "2");
        if (!v2) {
            claims.put("idp", v1Issuer());
        }
        claims.put("oid", principal.objectId());
        claims.put("sub", principal.objectId());
        claims.put("tid", tenantId);
        claims.put("ver", v2 ? "2.0" : "1.0");
        if (api != null && api.assignedObjectIds.contains(principal.objectId())) {
            claims.put("roles", List.of("Skyferry.Federation"));
        }
        if (managedIdentity) {
            claims.put("xms_mirid", "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/local"
                    + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + principal.displayName());
        }
        claims.put("uti", UUID.randomUUID().toString().replace("-", ""));
        Duration lifetime = tokenLifetime;
        SignedJWT jwt = tokenProvider.jwt(claims, lifetime, tenantId);
        tokensIssued.incrementAndGet();
        issuedTokens.add(jwt.serialize());
        return new Issued(jwt.serialize(), now.plus(lifetime));
    }

    /**
     * Answers discovery and JWKS with 503 while {@link #keysUnavailable} is on, and the JWKS with no
     * keys while {@link #signingKeyWithheld} is.
     */
    private final class KeysOutageRoute implements Route {

        @Override
        public boolean match(OAuth2HttpRequest request) {
            String path = request.getUrl().encodedPath();
            if (!path.startsWith("/" + tenantId + "/")) {
                return false;
            }
            boolean jwks = path.endsWith("/jwks");
            boolean discovery = path.endsWith("/.well-known/openid-configuration");
            return keysUnavailable ? jwks || discovery : signingKeyWithheld && jwks;
        }

        @Override
        public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
            return keysUnavailable
                    ? new OAuth2HttpResponse(Headers.of("Content-Type", "text/plain"), 503, "keys unavailable", null)
                    : new OAuth2HttpResponse(Headers.of("Content-Type", "application/json"), 200, "{\"keys\":[]}", null);
        }
    }

    /** Entra's token endpoint for this tenant; other paths fall through to mock-oauth2-server. */
    private final class TokenRoute implements Route {

        @Override
        public boolean match(OAuth2HttpRequest request) {
            List<String> segments = request.getUrl().pathSegments();
            return "POST".equals(request.getMethod()) && segments.size() == 4 && segments.get(0).equals(tenantId)
                    && segments.subList(1, 4).equals(List.of("oauth2", "v2.0", "token"));
        }

        @Override
        public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
            try {
                if (tokensUnavailable) {
                    throw EntraError.temporarilyUnavailable();
                }
                Map<String, String> form = form(request.getBody());
                if (!"client_credentials".equals(form.get("grant_type"))) {
                    throw EntraError.invalidRequest(70003, "The app requested an unsupported grant type '" + form.get("grant_type") + "'.");
                }
                String clientId = form.get("client_id");
                Principal principal = clientId == null ? null : principals.get(clientId);
                if (principal == null) {
                    throw EntraError.invalidClient(700016, "Application with identifier '" + clientId
                            + "' was not found in the directory '" + tenantId + "'.");
                }
                authenticate(principal, form);
                String scope = form.getOrDefault("scope", "");
                // MSAL adds the OIDC scopes to every request; Entra ignores them for client credentials.
                List<String> resources = java.util.Arrays.stream(scope.split(" "))
                        .filter(s -> !s.isBlank() && !Set.of("openid", "profile", "offline_access", "email").contains(s))
                        .toList();
                String resource = resources.size() == 1 ? resources.get(0) : "";
                if (!resource.endsWith("/.default")) {
                    throw EntraError.invalidRequest(1002012, "The provided value for scope " + scope
                            + " is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.");
                }
                Issued issued = issueFor(principal, resource.substring(0, resource.length() - "/.default".length()), false);
                long expiresIn = Math.max(1, Duration.between(Instant.now(), issued.expiresAt()).toSeconds());
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("token_type", "Bearer");
                body.put("expires_in", expiresIn);
                body.put("ext_expires_in", expiresIn);
                body.put("access_token", issued.token());
                return json(200, JSON.writeValueAsString(body));
            } catch (EntraError e) {
                return json(e.status, e.json());
            } catch (IssuerDown | IOException e) {
                return json(503, "{\"error\":\"temporarily_unavailable\"}");
            }
        }

        private void authenticate(Principal principal, Map<String, String> form) throws EntraError {
            String secret = form.get("client_secret");
            String assertion = form.get("client_assertion");
            if (secret != null) {
                if (!secret.equals(secrets.get(principal.clientId()))) {
                    throw EntraError.invalidClient(7000215, "Invalid client secret provided. Ensure the secret being sent"
                            + " in the request is the client secret value, not the client secret ID, for a secret added to app '"
                            + principal.clientId() + "'.");
                }
                return;
            }
            if (assertion == null || !"urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(form.get("client_assertion_type"))) {
                throw EntraError.invalidClient(7000218, "The request body must contain the following parameter:"
                        + " 'client_assertion' or 'client_secret'.");
            }
            X509Certificate certificate = certificates.get(principal.clientId());
            if (certificate != null) {
                checkCertificateAssertion(principal, certificate, assertion);
            } else {
                checkFederatedAssertion(principal, assertion);
            }
        }

        /** An app's own assertion (client-certificate): signed with the certificate's key, issued by and for the app. */
        private void checkCertificateAssertion(Principal principal, X509Certificate certificate, String assertion)
                throws EntraError {
            try {
                SignedJWT jwt = SignedJWT.parse(assertion);
                JWTClaimsSet claims = jwt.getJWTClaimsSet();
                if (!principal.clientId().equals(claims.getIssuer()) || !principal.clientId().equals(claims.getSubject())) {
                    throw EntraError.invalidClient(700021, "Client assertion application identifier doesn't match"
                            + " 'client_id' parameter.");
                }
                if (claims.getExpirationTime() == null || claims.getExpirationTime().toInstant().isBefore(Instant.now())) {
                    throw EntraError.invalidClient(700024, "Client assertion is not within its valid time range.");
                }
                if (!jwt.verify(new RSASSAVerifier((RSAPublicKey) certificate.getPublicKey()))) {
                    throw EntraError.invalidClient(700027, "Client assertion failed signature validation.");
                }
            } catch (ParseException | JOSEException e) {
                throw EntraError.invalidClient(50027, "JWT token is invalid or malformed.");
            }
        }

        private void checkFederatedAssertion(Principal principal, String assertion) throws EntraError {
            SignedJWT jwt;
            JWTClaimsSet claims;
            try {
                jwt = SignedJWT.parse(assertion);
                claims = jwt.getJWTClaimsSet();
            } catch (ParseException e) {
                throw EntraError.invalidClient(50027, "JWT token is invalid or malformed.");
            }
            List<FederatedCredential> credentials = federatedCredentials.getOrDefault(principal.clientId(), List.of());
            String iss = claims.getIssuer();
            List<FederatedCredential> byIssuer = new ArrayList<>();
            for (FederatedCredential c : credentials) {
                if (c.issuer().equals(iss)) {
                    byIssuer.add(c);
                }
            }
            if (byIssuer.isEmpty()) {
                throw EntraError.invalidClient(700211, "No matching federated identity record found for presented assertion issuer '"
                        + iss + "'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.");
            }
            FederatedCredential match = byIssuer.stream().filter(c -> c.subject().equals(claims.getSubject())).findFirst().orElse(null);
            if (match == null) {
                throw EntraError.invalidClient(700213, "No matching federated identity record found for presented assertion subject '"
                        + claims.getSubject() + "'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.");
            }
            if (claims.getAudience() == null || !claims.getAudience().contains(match.audience())) {
                throw EntraError.invalidClient(700212, "No matching federated identity record found for presented assertion audience '"
                        + claims.getAudience() + "'.");
            }
            if (claims.getExpirationTime() == null || claims.getExpirationTime().toInstant().isBefore(Instant.now())) {
                throw EntraError.invalidClient(700024, "Client assertion is not within its valid time range.");
            }
            try {
                if (!oidcKeys.verifies(iss, jwt)) {
                    throw EntraError.invalidClient(700027, "Client assertion failed signature validation.");
                }
            } catch (OidcKeys.Unreachable | OidcKeys.NoVerificationKey e) {
                throw EntraError.invalidClient(50166, "Request to External OIDC endpoint failed. Issuer '" + iss + "': " + e.getMessage());
            }
        }

        private static Map<String, String> form(String body) {
            Map<String, String> values = new HashMap<>();
            if (body == null) {
                return values;
            }
            for (String pair : body.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            return values;
        }

        private static OAuth2HttpResponse json(int status, String body) {
            return new OAuth2HttpResponse(Headers.of("Content-Type", "application/json; charset=utf-8"), status, body, null);
        }
    }
}
