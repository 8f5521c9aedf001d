package dev.skyferry.testkit.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for AWS STS (Query API, {@code https://sts.amazonaws.com/doc/2011-06-15/} XML) and
 * the IAM objects it consults, on a loopback port:
 * <ul>
 *   <li><b>AssumeRoleWithWebIdentity</b> really validates the JWT the way STS does: the IAM OIDC
 *       provider is found by the token's {@code iss} — exactly, trailing slash included, unless
 *       {@link Builder#ignoreIssuerTrailingSlash} — the signature is checked with keys fetched through the
 *       issuer's discovery document, then {@code exp}, then {@code aud} against the provider's client
 *       IDs, then the role's trust policy (StringEquals on {@code <provider>:aud} and {@code :sub}).
 *       Failures come back as STS error XML with STS's codes (InvalidIdentityToken, ExpiredTokenException,
 *       IDPCommunicationError, AccessDenied), so the AWS SDK maps them to its exception types.</li>
 *   <li>It issues short-lived session credentials ({@link Builder#credentialLifetime}) made of the one
 *       key pair S3Proxy accepts plus a session token. S3Proxy ignores session tokens, so whether a call
 *       carried a valid, unexpired session is answered here: {@link #sessionValidAt}.</li>
 *   <li><b>GetCallerIdentity</b> (for {@code skyferry check}): the assumed-role ARN for a session token,
 *       the configured base principal for the plain key; expired/unknown tokens are refused.</li>
 *   <li><b>GetWebIdentityToken</b> (IAM outbound identity federation): an RS256 JWT for the caller's
 *       role, from an issuer with its own discovery document and JWKS ({@link #outboundIssuer()}).</li>
 * </ul>
 * Not emulated: SigV4 signature checks on signed calls (only the key id and session token are read),
 * policies other than the trust policy's two conditions, session tags, MaxSessionDuration per role.
 */
public final class LocalSts implements AutoCloseable {

    public static final String XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";

    /** One issued session. */
    public record Session(String sessionToken, String assumedRoleArn, String roleArn, String subject,
                          String audience, Instant expiresAt) {}

    /** An IAM OIDC identity provider: its URL (as IAM stores it, with https://) and client IDs (audiences). */
    private record OidcProvider(String url, List<String> clientIds) {}

    /** A role trusting web identities from one provider with StringEquals conditions on aud and sub. */
    private record Role(String arn, String name, String providerUrl, Map<String, String> stringEquals) {}

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String accessKeyId = "local-access-key";
        private String secretAccessKey = "local-secret-key";
        private String accountId = "000000000000";
        private String partition = "aws";
        private Duration credentialLifetime;
        private boolean ignoreIssuerTrailingSlash;
        private Clock clock = Clock.systemUTC();
        private int port;

        /** The one key pair handed out in every session (S3Proxy's). */
        public Builder keyPair(String accessKeyId, String secretAccessKey) {
            this.accessKeyId = Objects.requireNonNull(accessKeyId);
            this.secretAccessKey = Objects.requireNonNull(secretAccessKey);
            return this;
        }

        public Builder account(String accountId) {
            this.accountId = accountId;
            return this;
        }

        public Builder partition(String partition) {
            this.partition = partition;
            return this;
        }

        /** Sessions live this long whatever DurationSeconds asked (real STS: 900 s minimum); null = as asked. */
        public Builder credentialLifetime(Duration lifetime) {
            this.credentialLifetime = lifetime;
            return this;
        }

        /** Match a provider whose URL differs from iss only by a trailing slash (IAM does not). */
        public Builder ignoreIssuerTrailingSlash(boolean ignore) {
            this.ignoreIssuerTrailingSlash = ignore;
            return this;
        }

        /** STS's clock, e.g. skewed to make tokens look expired. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public LocalSts start() {
            return new LocalSts(this);
        }
    }

    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/,\\s]+)/");

    private final String accessKeyId;
    private final String secretAccessKey;
    private final String accountId;
    private final String partition;
    private final Duration credentialLifetime;
    private final boolean ignoreIssuerTrailingSlash;
    private final Clock clock;
    private final HttpServer server;
    private final OidcKeys oidcKeys = new OidcKeys();
    private final Map<String, OidcProvider> providers = new ConcurrentHashMap<>();
    private final Map<String, Role> roles = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final List<Session> issued = new CopyOnWriteArrayList<>();
    private final AtomicInteger assumeRoleCalls = new AtomicInteger();
    private final RSAKey outboundKey;
    private volatile String basePrincipalArn;
    private volatile boolean outboundFederationEnabled = true;

    private LocalSts(Builder b) {
        this.accessKeyId = b.accessKeyId;
        this.secretAccessKey = b.secretAccessKey;
        this.accountId = b.accountId;
        this.partition = b.partition;
        this.credentialLifetime = b.credentialLifetime;
        this.ignoreIssuerTrailingSlash = b.ignoreIssuerTrailingSlash;
        this.clock = b.clock;
        this.basePrincipalArn = "arn:" + partition + ":iam::" + accountId + ":user/local";
        try {
            this.outboundKey = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), b.port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** For aws.endpoints.sts. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public String accountId() {
        return accountId;
    }

    /** Registers an IAM OIDC provider, e.g. {@code https://sts.windows.net/<tenant>/}, with its client IDs (audiences). */
    public LocalSts addOidcProvider(String url, String... clientIds) {
        providers.put(url, new OidcProvider(url, List.of(clientIds)));
        return this;
    }

    public LocalSts removeOidcProvider(String url) {
        providers.remove(url);
        return this;
    }

    /**
     * Creates role {@code name} trusting web identities from {@code providerUrl} when the token's aud
     * and sub equal the given values (null skips that condition). Returns the role ARN.
     */
    public String addWebIdentityRole(String name, String providerUrl, String audience, String subject) {
        String arn = "arn:" + partition + ":iam::" + accountId + ":role/" + name;
        Map<String, String> conditions = new LinkedHashMap<>();
        if (audience != null) {
            conditions.put("aud", audience);
        }
        if (subject != null) {
            conditions.put("sub", subject);
        }
        roles.put(arn, new Role(arn, name, providerUrl, conditions));
        return arn;
    }

    /** The principal GetCallerIdentity names for the plain key pair (no session token). */
    public LocalSts basePrincipal(String arn) {
        this.basePrincipalArn = arn;
        return this;
    }

    /** The account switch for IAM outbound identity federation (GetWebIdentityToken). */
    public LocalSts outboundFederation(boolean enabled) {
        this.outboundFederationEnabled = enabled;
        return this;
    }

    /** The iss of GetWebIdentityToken tokens; stands in for {@code https://<id>.tokens.sts.global.api.aws}. */
    public String outboundIssuer() {
        return endpoint() + "/outbound";
    }

    /** Every session issued so far, oldest first. */
    public List<Session> issuedSessions() {
        return List.copyOf(issued);
    }

    public int assumeRoleWithWebIdentityCalls() {
        return assumeRoleCalls.get();
    }

    /** Whether {@code sessionToken} names a session this STS issued that had not expired at {@code at}. */
    public boolean sessionValidAt(String sessionToken, Instant at) {
        Session session = sessionToken == null ? null : sessions.get(sessionToken);
        return session != null && at.isBefore(session.expiresAt());
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ---- HTTP ----

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/outbound/.well-known/openid-configuration")) {
                respond(exchange, 200, "application/json", "{\"issuer\":\"" + outboundIssuer() + "\",\"jwks_uri\":\""
                        + outboundIssuer() + "/.well-known/jwks.json\",\"id_token_signing_alg_values_supported\":[\"RS256\"]}");
                return;
            }
            if (path.equals("/outbound/.well-known/jwks.json")) {
                respond(exchange, 200, "application/json", new JWKSet(outboundKey.toPublicJWK()).toString());
                return;
            }
            Map<String, String> params = ManagedIdentityEndpoint.query(exchange.getRequestURI().getRawQuery());
            if ("POST".equals(exchange.getRequestMethod())) {
                params.putAll(ManagedIdentityEndpoint.query(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            }
            String action = params.getOrDefault("Action", "");
            StsReply reply = switch (action) {
                case "AssumeRoleWithWebIdentity" -> assumeRoleWithWebIdentity(params);
                case "GetCallerIdentity" -> getCallerIdentity(exchange);
                case "GetWebIdentityToken" -> getWebIdentityToken(exchange, params);
                default -> StsReply.error(400, "Sender", "InvalidAction", "Could not find operation " + action + " for version 2011-06-15");
            };
            respond(exchange, reply.status(), "text/xml", reply.xml());
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private record StsReply(int status, String xml) {
        static StsReply ok(String action, String result) {
            return new StsReply(200, "<" + action + "Response xmlns=\"" + XMLNS + "\"><" + action + "Result>" + result
                    + "</" + action + "Result><ResponseMetadata><RequestId>" + UUID.randomUUID()
                    + "</RequestId></ResponseMetadata></" + action + "Response>");
        }

        static StsReply error(int status, String type, String code, String message) {
            return new StsReply(status, "<ErrorResponse xmlns=\"" + XMLNS + "\"><Error><Type>" + type + "</Type><Code>" + code
                    + "</Code><Message>" + escape(message) + "</Message></Error><RequestId>" + UUID.randomUUID()
                    + "</RequestId></ErrorResponse>");
        }
    }

    // ---- AssumeRoleWithWebIdentity ----

    private StsReply assumeRoleWithWebIdentity(Map<String, String> params) {
        assumeRoleCalls.incrementAndGet();
        String roleArn = params.get("RoleArn");
        String sessionName = params.get("RoleSessionName");
        String token = params.get("WebIdentityToken");
        if (roleArn == null || sessionName == null || token == null) {
            return StsReply.error(400, "Sender", "ValidationError", "RoleArn, RoleSessionName and WebIdentityToken are required");
        }
        int duration;
        try {
            duration = Integer.parseInt(params.getOrDefault("DurationSeconds", "3600"));
        } catch (NumberFormatException e) {
            return StsReply.error(400, "Sender", "ValidationError", "DurationSeconds is not a number");
        }
        if (duration < 900 || duration > 43_200) {
            return StsReply.error(400, "Sender", "ValidationError", "1 validation error detected: Value '" + duration
                    + "' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return invalidToken("The web identity token provided could not be parsed.");
        }
        String iss = claims.getIssuer();
        OidcProvider provider = iss == null ? null : providerFor(iss);
        if (provider == null) {
            return invalidToken("No OpenIDConnect provider found in your account for " + iss);
        }
        try {
            if (!oidcKeys.verifies(iss, jwt)) {
                return invalidToken("The web identity token signature could not be verified.");
            }
        } catch (OidcKeys.Unreachable e) {
            return StsReply.error(400, "Sender", "IDPCommunicationError",
                    "The request could not be fulfilled because the non-AWS identity provider (IdP) that was asked to verify"
                            + " the incoming identity token could not be reached. Try the request again.");
        } catch (OidcKeys.NoVerificationKey e) {
            return invalidToken("Couldn't retrieve verification key from your identity provider,  please reference"
                    + " AssumeRoleWithWebIdentity documentation for requirements");
        }
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null || !now.isBefore(exp.toInstant())) {
            return StsReply.error(400, "Sender", "ExpiredTokenException", "Token expired: current date/time "
                    + now.truncatedTo(ChronoUnit.SECONDS) + " must be before the expiration date/time "
                    + (exp == null ? "(none)" : exp.toInstant()));
        }
        List<String> audiences = claims.getAudience();
        String audience = audiences == null || audiences.isEmpty() ? null : audiences.get(0);
        if (audiences == null || audiences.stream().noneMatch(provider.clientIds()::contains)) {
            return invalidToken("Incorrect token audience");
        }
        Role role = roles.get(roleArn);
        if (role == null || !trusts(role, provider, audience, claims.getSubject())) {
            return StsReply.error(403, "Sender", "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
        }
        Duration lifetime = credentialLifetime != null ? credentialLifetime : Duration.ofSeconds(duration);
        Session session = new Session("LocalSts" + UUID.randomUUID().toString().replace("-", ""),
                "arn:" + partition + ":sts::" + accountId + ":assumed-role/" + role.name() + "/" + sessionName,
                roleArn, claims.getSubject(), audience, now.plus(lifetime));
        sessions.put(session.sessionToken(), session);
        issued.add(session);
        return StsReply.ok("AssumeRoleWithWebIdentity",
                "<SubjectFromWebIdentityToken>" + escape(claims.getSubject()) + "</SubjectFromWebIdentityToken>"
                        + "<Audience>" + escape(audience) + "</Audience>"
                        + "<AssumedRoleUser><Arn>" + session.assumedRoleArn() + "</Arn><AssumedRoleId>AROALOCAL"
                        + role.name().toUpperCase(java.util.Locale.ROOT) + ":" + escape(sessionName) + "</AssumedRoleId></AssumedRoleUser>"
                        + credentialsXml(session)
                        + "<Provider>" + escape(provider.url().replaceFirst("^https?://", "")) + "</Provider>");
    }

    private OidcProvider providerFor(String iss) {
        OidcProvider exact = providers.get(iss);
        if (exact != null || !ignoreIssuerTrailingSlash) {
            return exact;
        }
        String other = iss.endsWith("/") ? iss.substring(0, iss.length() - 1) : iss + "/";
        return providers.get(other);
    }

    private boolean trusts(Role role, OidcProvider provider, String audience, String subject) {
        if (!role.providerUrl().equals(provider.url())) {
            return false;
        }
        String expectedAud = role.stringEquals().get("aud");
        String expectedSub = role.stringEquals().get("sub");
        return (expectedAud == null || expectedAud.equals(audience)) && (expectedSub == null || expectedSub.equals(subject));
    }

    private String credentialsXml(Session session) {
        return "<Credentials><AccessKeyId>" + escape(accessKeyId) + "</AccessKeyId><SecretAccessKey>" + escape(secretAccessKey)
                + "</SecretAccessKey><SessionToken>" + session.sessionToken() + "</SessionToken><Expiration>"
                + session.expiresAt().truncatedTo(ChronoUnit.MILLIS) + "</Expiration></Credentials>";
    }

    private static StsReply invalidToken(String message) {
        return StsReply.error(400, "Sender", "InvalidIdentityToken", message);
    }

    // ---- Signed calls: GetCallerIdentity, GetWebIdentityToken ----

    /** The caller of a signed request: a session's role or the base principal; or the error to answer. */
    private sealed interface Caller permits Known, Refused {}

    private record Known(String arn, String roleArn) implements Caller {}

    private record Refused(StsReply reply) implements Caller {}

    private Caller caller(HttpExchange exchange) {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        Matcher credential = authorization == null ? null : CREDENTIAL.matcher(authorization);
        if (credential == null || !credential.find()) {
            return new Refused(StsReply.error(403, "Sender", "MissingAuthenticationToken", "Request is missing Authentication Token"));
        }
        if (!accessKeyId.equals(credential.group(1))) {
            return new Refused(StsReply.error(403, "Sender", "InvalidClientTokenId", "The security token included in the request is invalid."));
        }
        String sessionToken = exchange.getRequestHeaders().getFirst("X-Amz-Security-Token");
        if (sessionToken == null) {
            return new Known(basePrincipalArn, basePrincipalArn.contains(":role/") ? basePrincipalArn : null);
        }
        Session session = sessions.get(sessionToken);
        if (session == null) {
            return new Refused(StsReply.error(403, "Sender", "InvalidClientTokenId", "The security token included in the request is invalid."));
        }
        if (!clock.instant().isBefore(session.expiresAt())) {
            return new Refused(StsReply.error(400, "Sender", "ExpiredToken", "The security token included in the request is expired"));
        }
        return new Known(session.assumedRoleArn(), session.roleArn());
    }

    private StsReply getCallerIdentity(HttpExchange exchange) {
        Caller caller = caller(exchange);
        if (caller instanceof Refused refused) {
            return refused.reply();
        }
        Known known = (Known) caller;
        return StsReply.ok("GetCallerIdentity", "<Arn>" + escape(known.arn()) + "</Arn><UserId>AIDALOCAL:" + escape(known.arn())
                + "</UserId><Account>" + accountId + "</Account>");
    }

    private StsReply getWebIdentityToken(HttpExchange exchange, Map<String, String> params) {
        Caller caller = caller(exchange);
        if (caller instanceof Refused refused) {
            return refused.reply();
        }
        if (!outboundFederationEnabled) {
            return StsReply.error(403, "Sender", "OutboundWebIdentityFederationDisabledException",
                    "Outbound web identity federation is disabled for this account.");
        }
        List<String> audiences = new ArrayList<>();
        for (int i = 1; params.containsKey("Audience.member." + i); i++) {
            audiences.add(params.get("Audience.member." + i));
        }
        String algorithm = params.getOrDefault("SigningAlgorithm", "");
        int duration = Integer.parseInt(params.getOrDefault("DurationSeconds", "300"));
        if (audiences.isEmpty() || audiences.size() > 10) {
            return StsReply.error(400, "Sender", "ValidationError", "Audience must have 1 to 10 members");
        }
        if (!algorithm.equals("RS256")) {
            // The local issuer signs RS256 only (Entra's token exchange accepts nothing else anyway).
            return StsReply.error(400, "Sender", "ValidationError", "SigningAlgorithm '" + algorithm + "' is not supported here; use RS256");
        }
        if (duration < 60 || duration > 3600) {
            return StsReply.error(400, "Sender", "ValidationError", "DurationSeconds must be between 60 and 3600");
        }
        Known known = (Known) caller;
        Instant now = clock.instant();
        Instant expires = now.plusSeconds(duration);
        try {
            JWTClaimsSet claims = new JWTClaimsSet.Builder()
                    .issuer(outboundIssuer())
                    .subject(known.roleArn() != null ? known.roleArn() : known.arn())
                    .audience(audiences)
                    .issueTime(Date.from(now))
                    .notBeforeTime(Date.from(now))
                    .expirationTime(Date.from(expires))
                    .jwtID(UUID.randomUUID().toString())
                    .claim("https://sts.amazonaws.com/", Map.of("aws_account", accountId, "principal_id", known.arn(),
                            "source_region", "local"))
                    .build();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(outboundKey.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new RSASSASigner(outboundKey));
            return StsReply.ok("GetWebIdentityToken", "<WebIdentityToken>" + jwt.serialize() + "</WebIdentityToken><Expiration>"
                    + expires.truncatedTo(ChronoUnit.SECONDS) + "</Expiration>");
        } catch (JOSEException e) {
            return StsReply.error(500, "Receiver", "InternalFailure", "could not sign: " + e.getMessage());
        }
    }

    private static String escape(String value) {
        if (value == null) {
            return "";
        }
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
