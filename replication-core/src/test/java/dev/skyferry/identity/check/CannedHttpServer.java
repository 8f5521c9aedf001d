package dev.skyferry.identity.check;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Answers every request with one fixed HTTP response, as a cloud does when a permission is missing
 * (403 AuthorizationPermissionMismatch, AccessDenied). The SDKs parse these real protocol bytes; only
 * the cloud's authorization decision is stood in for, because no emulator makes it.
 */
final class CannedHttpServer implements AutoCloseable {

    private final HttpServer server;

    CannedHttpServer(int status, Map<String, String> headers, String body) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
                exchange.getResponseHeaders().set("x-amzn-RequestId", "canned");
                boolean head = "HEAD".equals(exchange.getRequestMethod());
                exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
                if (!head) {
                    exchange.getResponseBody().write(bytes);
                }
            }
        });
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
