package dev.skyferry.testkit.fault;

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
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on a free loopback port that sits between a client and an emulator and breaks things on
 * demand: connection resets, added latency, a black hole (accepts, never answers), and bursts of HTTP
 * error responses (503 SlowDown, 503 ServerBusy, 429) for the next N requests, and request bodies with
 * a byte flipped on the way. Used by the worker's throttling tests, the stores' checksum tests and the
 * fault suite; it injects real network and protocol faults, not mocks.
 *
 * <p>Throttle bursts answer whole requests: the proxy reads the request head, drains a
 * {@code Content-Length} body, answers with the canned response and {@code Connection: close}, so
 * the client sees a well-formed HTTP error and retries on a fresh connection.
 */
public final class FaultProxy implements AutoCloseable {

    /** A canned HTTP error the proxy can answer with. */
    public record CannedResponse(int status, String reason, String contentType, String body, String retryAfterSeconds) {

        /** S3's throttling answer. */
        public static CannedResponse s3SlowDown() {
            return new CannedResponse(503, "Slow Down", "application/xml",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
                            + "<Message>Please reduce your request rate.</Message></Error>", null);
        }

        /** Azure Storage's throttling answer. */
        public static CannedResponse azureServerBusy() {
            return new CannedResponse(503, "The server is busy.", "application/xml",
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ServerBusy</Code>"
                            + "<Message>The server is busy.</Message></Error>", "1");
        }

        /** SQS's throttling answer (JSON protocol). */
        public static CannedResponse sqsThrottled() {
            return new CannedResponse(400, "Bad Request", "application/x-amz-json-1.0",
                    "{\"__type\":\"com.amazonaws.sqs#ThrottlingException\",\"message\":\"Rate exceeded\"}", null);
        }

        byte[] toBytes() {
            byte[] payload = body.getBytes(StandardCharsets.UTF_8);
            String head = "HTTP/1.1 " + status + " " + reason + "\r\n"
                    + "Content-Type: " + contentType + "\r\n"
                    + "Content-Length: " + payload.length + "\r\n"
                    + (retryAfterSeconds == null ? "" : "Retry-After: " + retryAfterSeconds + "\r\n")
                    + "x-amzn-RequestId: fault-proxy\r\n"
                    + "Connection: close\r\n\r\n";
            byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
            byte[] all = new byte[headBytes.length + payload.length];
            System.arraycopy(headBytes, 0, all, 0, headBytes.length);
            System.arraycopy(payload, 0, all, headBytes.length, payload.length);
            return all;
        }
    }

    private final InetSocketAddress upstream;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private volatile boolean resetConnections;
    private volatile boolean blackHole;
    private volatile Duration latency = Duration.ZERO;
    private final AtomicInteger cannedRemaining = new AtomicInteger();
    private final AtomicReference<CannedResponse> canned = new AtomicReference<>();
    private final AtomicInteger corruptionsRemaining = new AtomicInteger();
    private volatile long corruptionMinBytes;

    private final AtomicLong connectionsAccepted = new AtomicLong();
    private final AtomicLong faultsInjected = new AtomicLong();

    private FaultProxy(InetSocketAddress upstream) throws IOException {
        this.upstream = upstream;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.submit(this::acceptLoop);
    }

    /** Starts a proxy in front of {@code upstream} (scheme, host and port are used; path ignored). */
    public static FaultProxy inFrontOf(URI upstream) {
        try {
            int port = upstream.getPort() != -1 ? upstream.getPort() : ("https".equals(upstream.getScheme()) ? 443 : 80);
            return new FaultProxy(new InetSocketAddress(upstream.getHost(), port));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start fault proxy", e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The upstream URI with host and port replaced by the proxy's, keeping scheme and path. */
    public URI proxiedUri(URI original) {
        return URI.create(original.getScheme() + "://127.0.0.1:" + port() + (original.getRawPath() == null ? "" : original.getRawPath()));
    }

    /** While on, every new connection is reset at once and open ones are cut. */
    public FaultProxy resetConnections(boolean on) {
        resetConnections = on;
        if (on) {
            cutOpenConnections();
        }
        return this;
    }

    /** While on, connections are accepted and their bytes swallowed; nothing is answered. */
    public FaultProxy blackHole(boolean on) {
        blackHole = on;
        if (on) {
            cutOpenConnections();
        }
        return this;
    }

    /** Delay added before each chunk forwarded in either direction. */
    public FaultProxy latency(Duration delay) {
        latency = delay;
        return this;
    }

    /** The next {@code count} requests get {@code response} instead of reaching the upstream. */
    public FaultProxy failNextRequests(int count, CannedResponse response) {
        canned.set(response);
        cannedRemaining.set(count);
        // Pooled keep-alive connections would bypass the burst; cut them so requests arrive fresh.
        cutOpenConnections();
        return this;
    }

    /**
     * The next {@code count} requests with a body of at least {@code minBytes} reach the upstream with
     * the byte in the middle of their body flipped: what a bad NIC, cable or middlebox does that TCP's
     * own checksum misses. A minimum picks the data (blocks, parts, puts) out of the small XML bodies
     * beside it. Open keep-alive connections are cut, so the next requests come on watched ones.
     */
    public FaultProxy corruptNextRequestBodies(int count, long minBytes) {
        corruptionMinBytes = minBytes;
        corruptionsRemaining.set(count);
        cutOpenConnections();
        return this;
    }

    /** Back to a transparent proxy. */
    public FaultProxy heal() {
        resetConnections = false;
        blackHole = false;
        latency = Duration.ZERO;
        cannedRemaining.set(0);
        corruptionsRemaining.set(0);
        return this;
    }

    public long connectionsAccepted() {
        return connectionsAccepted.get();
    }

    /** Resets, black-holed connections and canned answers delivered so far. */
    public long faultsInjected() {
        return faultsInjected.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                connectionsAccepted.incrementAndGet();
                threads.submit(() -> handle(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void handle(Socket client) {
        open.add(client);
        try {
            if (resetConnections) {
                faultsInjected.incrementAndGet();
                reset(client);
                return;
            }
            if (blackHole) {
                faultsInjected.incrementAndGet();
                client.getInputStream().transferTo(OutputStream.nullOutputStream());
                return;
            }
            if (cannedRemaining.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                faultsInjected.incrementAndGet();
                answerCanned(client, canned.get());
                return;
            }
            try (Socket target = new Socket()) {
                target.connect(upstream, 5_000);
                open.add(target);
                InputStream fromClient = client.getInputStream();
                OutputStream toTarget = target.getOutputStream();
                boolean corrupting = corruptionsRemaining.get() > 0;
                var up = threads.submit(() -> {
                    if (corrupting) {
                        forwardCorruptingBodies(fromClient, toTarget);
                    }
                    pump(fromClient, toTarget, target);
                });
                pump(target.getInputStream(), client.getOutputStream(), client);
                up.cancel(true);
                open.remove(target);
            }
        } catch (IOException | RuntimeException e) {
            // A broken connection is exactly what some tests ask for; the client sees it.
        } finally {
            open.remove(client);
            closeQuietly(client);
        }
    }

    private void pump(InputStream in, OutputStream out, Socket outSocket) {
        byte[] buffer = new byte[64 * 1024];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                Duration delay = latency;
                if (!delay.isZero()) {
                    Thread.sleep(delay);
                }
                if (blackHole || resetConnections) {
                    reset(outSocket);
                    return;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
            outSocket.shutdownOutput();
        } catch (IOException | InterruptedException e) {
            closeQuietly(outSocket);
        }
    }

    /**
     * Forwards whole requests (head, then a {@code Content-Length} body) while corruptions are owed,
     * corrupting bodies as it goes; the caller pumps the rest of the connection as is.
     */
    private void forwardCorruptingBodies(InputStream fromClient, OutputStream toTarget) {
        try {
            while (corruptionsRemaining.get() > 0) {
                String head = readHead(fromClient);
                if (head.isEmpty()) {
                    return;
                }
                toTarget.write(head.getBytes(StandardCharsets.ISO_8859_1));
                toTarget.flush();
                long length = contentLength(head);
                boolean corrupt = length > 0 && length >= corruptionMinBytes
                        && corruptionsRemaining.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
                // With Expect: 100-continue the body follows once the upstream's 100 reached the client.
                copyBody(fromClient, toTarget, length, corrupt ? length / 2 : -1);
                if (corrupt) {
                    faultsInjected.incrementAndGet();
                }
            }
        } catch (IOException e) {
            // The connection broke; the pump that follows sees it too.
        }
    }

    private static void copyBody(InputStream in, OutputStream out, long length, long flipAt) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long copied = 0;
        while (copied < length) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - copied));
            if (n < 0) {
                throw new IOException("request body ended after " + copied + " of " + length + " bytes");
            }
            if (flipAt >= copied && flipAt < copied + n) {
                buffer[(int) (flipAt - copied)] ^= 0x01;
            }
            out.write(buffer, 0, n);
            copied += n;
        }
        out.flush();
    }

    private static void answerCanned(Socket client, CannedResponse response) throws IOException {
        InputStream in = client.getInputStream();
        String head = readHead(in);
        long contentLength = contentLength(head);
        if (contentLength > 0 && !head.toLowerCase(Locale.ROOT).contains("expect: 100-continue")) {
            in.skipNBytes(contentLength);
        }
        OutputStream out = client.getOutputStream();
        out.write(response.toBytes());
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                return Long.parseLong(line.substring(colon + 1).trim());
            }
        }
        return 0;
    }

    private void cutOpenConnections() {
        open.forEach(FaultProxy::reset);
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0); // close with RST, as a crashed peer or middlebox would
        } catch (IOException ignored) {
            // already closed
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // nothing to do
        }
        cutOpenConnections();
        threads.shutdownNow();
    }
}
