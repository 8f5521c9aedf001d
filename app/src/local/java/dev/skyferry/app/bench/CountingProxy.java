package dev.skyferry.app.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * A loopback TCP proxy in front of an emulator that counts the HTTP requests passing through, by
 * method and the names of their query parameters ({@code PUT ?partNumber,uploadId}), or by the action
 * an {@code X-Amz-Target} header names (SQS: {@code ReceiveMessage}). Bytes pass unchanged — the Host
 * header too, which SigV4 signs — so clients cannot tell it is there. Request boundaries come from
 * Content-Length or chunked framing.
 */
final class CountingProxy implements AutoCloseable {

    /** Parameters of a SAS signature (rclone's Azure access) and Azure's server timeout say nothing about the request. */
    private static final java.util.Set<String> SAS_AND_TIMEOUT = java.util.Set.of("sv", "ss", "srt", "sp", "se", "st",
            "spr", "sig", "timeout");

    private final InetSocketAddress upstream;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    private CountingProxy(InetSocketAddress upstream) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.submit(this::acceptLoop);
    }

    static CountingProxy inFrontOf(URI endpoint) throws IOException {
        return new CountingProxy(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()));
    }

    /** {@code http://127.0.0.1:<proxy port>} */
    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Requests counted so far, by kind; and clears the counts. */
    Map<String, Long> takeCounts() {
        Map<String, Long> snapshot = new TreeMap<>();
        counts.forEach((kind, count) -> snapshot.put(kind, count.sumThenReset()));
        snapshot.values().removeIf(count -> count == 0);
        return snapshot;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                threads.submit(() -> handle(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket client) {
        try (client; Socket target = new Socket()) {
            target.connect(upstream, 5_000);
            var requests = threads.submit(() -> forwardRequests(client.getInputStream(), target));
            pump(target.getInputStream(), client.getOutputStream());
            requests.cancel(true);
        } catch (IOException | RuntimeException e) {
            // the client or the emulator hung up
        }
    }

    private Void forwardRequests(InputStream raw, Socket target) {
        try {
            InputStream in = new BufferedInputStream(raw, 64 * 1024);
            OutputStream out = new BufferedOutputStream(target.getOutputStream(), 64 * 1024);
            while (true) {
                byte[] head = readHead(in);
                if (head.length == 0) {
                    target.shutdownOutput();
                    return null;
                }
                String text = new String(head, StandardCharsets.ISO_8859_1);
                count(text);
                out.write(head);
                // A client sending Expect: 100-continue waits for the answer to the head before the body.
                out.flush();
                String lower = text.toLowerCase(Locale.ROOT);
                if (lower.contains("\r\ntransfer-encoding: chunked")) {
                    copyChunked(in, out);
                } else {
                    copyExactly(in, out, contentLength(text));
                }
                out.flush();
            }
        } catch (IOException e) {
            return null;
        }
    }

    private void count(String head) {
        String requestLine = head.substring(0, head.indexOf("\r\n"));
        String[] parts = requestLine.split(" ");
        String method = parts[0];
        String target = parts.length > 1 ? parts[1] : "";
        int question = target.indexOf('?');
        TreeSet<String> names = new TreeSet<>();
        if (question >= 0) {
            for (String pair : target.substring(question + 1).split("&")) {
                int equals = pair.indexOf('=');
                String name = equals < 0 ? pair : pair.substring(0, equals);
                String value = equals < 0 ? "" : pair.substring(equals + 1);
                if (SAS_AND_TIMEOUT.contains(name)) {
                    continue;
                }
                // comp=/restype= say what an Azure request does; their value is the interesting part.
                names.add(name.equals("comp") || name.equals("restype") ? name + "=" + value : name);
            }
        }
        // SQS's JSON protocol posts every action to "/" and names it in a header.
        String action = header(head, "x-amz-target");
        String kind = action != null ? action.substring(action.lastIndexOf('.') + 1)
                : names.isEmpty() ? method : method + " ?" + String.join(",", names);
        counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : 0;
        }
        return matched == 4 ? head.toByteArray() : new byte[0];
    }

    private static long contentLength(String head) {
        String length = header(head, "content-length");
        return length == null ? 0 : Long.parseLong(length);
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static void copyChunked(InputStream in, OutputStream out) throws IOException {
        while (true) {
            String sizeLine = readLine(in, out);
            long size = Long.parseLong(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                // trailers until an empty line
                while (!readLine(in, out).isEmpty()) {
                    // copied by readLine
                }
                return;
            }
            copyExactly(in, out, size);
            readLine(in, out);
        }
    }

    /** Copies one CRLF-terminated line and returns it without the CRLF. */
    private static String readLine(InputStream in, OutputStream out) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            out.write(b);
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b < 0) {
            throw new IOException("connection closed inside a chunked body");
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static void copyExactly(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        while (length > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length));
            if (n < 0) {
                throw new IOException("connection closed inside a body");
            }
            out.write(buffer, 0, n);
            length -= n;
        }
    }

    private static void pump(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            out.flush();
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        threads.shutdownNow();
    }
}
