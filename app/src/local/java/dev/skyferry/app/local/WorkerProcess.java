package dev.skyferry.app.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The production worker as its own process — {@code java -jar app/target/skyferry.jar run --config F}
 * with the container entrypoint's JVM defaults, as the container runs it — for tests and benchmarks
 * that must kill it (SIGKILL, SIGTERM) or measure its memory. Output goes to a log file; the HTTP port
 * is read from the config.
 */
public final class WorkerProcess implements AutoCloseable {

    private static final Pattern PEAK_RSS = Pattern.compile("VmHWM:\\s+(\\d+) kB");
    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");
    private static final Pattern CONTAINER_JVM_DEFAULTS = Pattern.compile("\nJVM_DEFAULTS=\"([^\"]+)\"");
    private static final String ENTRYPOINT = "deploy/container/entrypoint.sh";

    private final Process process;
    private final Path log;
    private final int httpPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private WorkerProcess(Process process, Path log, int httpPort) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
    }

    /**
     * @param jar      the packaged app jar (its lib/ beside it)
     * @param config   the YAML config; must set worker.http.port to a fixed free port
     * @param httpPort that port
     * @param jvmArgs  e.g. {@code -Xmx256m}; after the container's defaults, so they win as JAVA_OPTS does
     */
    public static WorkerProcess start(Path jar, Path config, int httpPort, List<String> jvmArgs, Path log) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is not built; run mvn package first");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(containerJvmDefaults(jar));
        command.addAll(jvmArgs);
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "run", "--config", config.toString()));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().keySet().removeIf(name -> name.startsWith("SKYFERRY_"));
            return new WorkerProcess(builder.start(), log, httpPort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the worker process", e);
        }
    }

    /**
     * The JVM flags the image's entrypoint starts the worker with (its {@code JVM_DEFAULTS}), read from
     * the repository the jar was built in, so that what is measured here is what a pod runs.
     */
    public static List<String> containerJvmDefaults(Path jar) {
        for (Path dir = jar.toAbsolutePath().getParent(); dir != null; dir = dir.getParent()) {
            Path entrypoint = dir.resolve(ENTRYPOINT);
            if (Files.isRegularFile(entrypoint)) {
                try {
                    Matcher defaults = CONTAINER_JVM_DEFAULTS.matcher(Files.readString(entrypoint));
                    if (!defaults.find()) {
                        throw new IllegalStateException(entrypoint + " has no JVM_DEFAULTS=\"...\" line");
                    }
                    return List.of(defaults.group(1).trim().split("\\s+"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException("no " + ENTRYPOINT + " above " + jar);
    }

    /** The packaged jar: the {@code skyferry.packagedJar} property, else app/target/skyferry.jar under the repo. */
    public static Path packagedJar() {
        String property = System.getProperty("skyferry.packagedJar");
        if (property != null) {
            return Path.of(property);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("app/target/skyferry.jar");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
            Path inApp = dir.resolve("target/skyferry.jar");
            if (Files.isRegularFile(inApp) && dir.getFileName().toString().equals("app")) {
                return inApp;
            }
        }
        throw new IllegalStateException("app/target/skyferry.jar not found; run mvn package first");
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until /readyz answers 200. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("worker exited with " + process.exitValue() + " before it was ready; log: " + log);
            }
            if (status("/readyz") == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("worker not ready within " + timeout + "; log: " + log);
    }

    /** HTTP status of GET path on the worker's port, or -1 when it does not answer. */
    public int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public String get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** SIGTERM: the worker drains and exits. */
    public void terminate() {
        process.destroy();
    }

    /** SIGKILL: the worker dies mid-whatever, as on a node failure or OOM kill. */
    public void kill() {
        process.destroyForcibly();
    }

    /** @return the exit code, or empty-handed with an exception when it did not exit in time */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("worker did not exit within " + timeout + "; log: " + log);
        }
        return process.exitValue();
    }

    /** Peak resident set size so far (Linux VmHWM), in bytes. */
    public long peakRssBytes() {
        return procStatus(PEAK_RSS);
    }

    /** Current resident set size (Linux VmRSS), in bytes. */
    public long rssBytes() {
        return procStatus(RSS);
    }

    private long procStatus(Pattern field) {
        try {
            Matcher m = field.matcher(Files.readString(Path.of("/proc", Long.toString(process.pid()), "status")));
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
