package dev.skyferry.app.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code /healthz} (liveness), {@code /readyz} (readiness, with the reasons when not ready) and
 * {@code /metrics} (Prometheus text) on the JDK's built-in HTTP server: three tiny endpoints do not
 * justify a web framework in the image.
 */
public final class ObservabilityServer implements AutoCloseable {

    /** A health answer: ok, or the reasons it is not. */
    public record Health(boolean ok, List<String> reasons) {
        public static Health up() {
            return new Health(true, List.of());
        }
    }

    private final HttpServer server;

    public ObservabilityServer(int port, Supplier<Health> liveness, Supplier<Health> readiness,
                               PrometheusMeterRegistry registry) throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/healthz", exchange -> health(exchange, liveness.get()));
        server.createContext("/readyz", exchange -> health(exchange, readiness.get()));
        server.createContext("/metrics", exchange ->
                respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        server.start();
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void health(HttpExchange exchange, Health health) throws IOException {
        String body = health.ok() ? "ok\n" : "not ready:\n" + String.join("\n", health.reasons()) + "\n";
        respond(exchange, health.ok() ? 200 : 503, "text/plain; charset=utf-8", body);
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
