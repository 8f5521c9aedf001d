package dev.skyferry.testkit.identity;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An App Service–style managed identity endpoint ({@code IDENTITY_ENDPOINT} + {@code IDENTITY_HEADER},
 * api-version 2019-08-01) backed by a {@link LocalOidcIssuer}: {@code GET <endpoint>?api-version=
 * 2019-08-01&resource=<aud>[&client_id=<user-assigned>]} with header {@code X-IDENTITY-HEADER}
 * answers {@code {"access_token","expires_on","resource","token_type","client_id"}}. Plain http on
 * loopback, as App Service's own endpoint is.
 */
public final class ManagedIdentityEndpoint implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalOidcIssuer issuer;
    private final LocalOidcIssuer.Principal systemAssigned;
    private final Map<String, LocalOidcIssuer.Principal> userAssigned = new HashMap<>();
    private final String header = UUID.randomUUID().toString();
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    ManagedIdentityEndpoint(LocalOidcIssuer issuer, LocalOidcIssuer.Principal systemAssigned,
                            LocalOidcIssuer.Principal... userAssigned) throws IOException {
        this.issuer = issuer;
        this.systemAssigned = systemAssigned;
        for (var identity : userAssigned) {
            this.userAssigned.put(identity.clientId(), identity);
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/msi/token", this::handle);
        server.start();
    }

    /** The value for IDENTITY_ENDPOINT. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/msi/token");
    }

    /** The value for IDENTITY_HEADER (App Service's per-process secret). */
    public String header() {
        return header;
    }

    /** Token requests answered so far (for asserting that a credential really came here). */
    public int requests() {
        return requests.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            if (!header.equals(exchange.getRequestHeaders().getFirst("X-IDENTITY-HEADER"))) {
                respond(exchange, 401, error(401, "missing or wrong X-IDENTITY-HEADER"));
                return;
            }
            if (!"2019-08-01".equals(query.get("api-version"))) {
                respond(exchange, 400, error(400, "api-version 2019-08-01 expected, was " + query.get("api-version")));
                return;
            }
            String resource = query.get("resource");
            if (resource == null) {
                respond(exchange, 400, error(400, "resource is required"));
                return;
            }
            LocalOidcIssuer.Principal identity = systemAssigned;
            String clientId = query.get("client_id");
            if (clientId != null) {
                identity = userAssigned.get(clientId);
                if (identity == null) {
                    respond(exchange, 400, error(400, "no user-assigned identity with client_id " + clientId + " on this resource"));
                    return;
                }
            }
            if (identity == null) {
                respond(exchange, 400, error(400, "no system-assigned identity on this resource"));
                return;
            }
            try {
                LocalOidcIssuer.Issued issued = issuer.issueFor(identity, resource, true);
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("access_token", issued.token());
                body.put("expires_on", String.valueOf(issued.expiresAt().getEpochSecond()));
                body.put("resource", resource);
                body.put("token_type", "Bearer");
                body.put("client_id", identity.clientId());
                respond(exchange, 200, JSON.writeValueAsString(body));
            } catch (EntraError e) {
                respond(exchange, e.status, error(e.status, e.getMessage()));
            } catch (LocalOidcIssuer.IssuerDown e) {
                respond(exchange, 500, error(500, "could not reach Entra ID"));
            }
        }
    }

    private static String error(int status, String message) throws IOException {
        return JSON.writeValueAsString(Map.of("statusCode", status, "message", message,
                "correlationId", UUID.randomUUID().toString(), "timestamp", Instant.now().toString()));
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    static Map<String, String> query(String raw) {
        Map<String, String> values = new HashMap<>();
        if (raw == null) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
