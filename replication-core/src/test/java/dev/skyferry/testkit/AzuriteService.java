package dev.skyferry.testkit;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Azurite service ({@code blob} or {@code queue}) as a node child process on 127.0.0.1.
 * Blob and Queue run as two processes so that Table, which Skyferry does not use, never starts.
 * Data lives in a folder on disk, so a stop/start (fault tests) keeps containers, blobs and queues.
 */
final class AzuriteService {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern LISTENING = Pattern.compile("successfully listens on http://127\\.0\\.0\\.1:(\\d+)");
    private static final HttpClient PROBE = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /**
     * Loaded into node before Azurite: when this JVM dies without running its shutdown hook (kill -9, a
     * surefire fork timeout), the pipe to node's stdin closes and Azurite shuts down instead of being orphaned.
     */
    private static final String EXIT_WITH_PARENT_SCRIPT = """
            process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM'));
            process.stdin.on('error', () => process.kill(process.pid, 'SIGTERM'));
            process.stdin.resume();
            // Watching stdin must not keep node alive after Azurite's own SIGTERM shutdown.
            if (typeof process.stdin.unref === 'function') process.stdin.unref();
            """;

    private final String service;
    private final AzuriteInstallation installation;
    private final Path dataDirectory;
    private final Path log;
    private final boolean verbose;
    private int port;
    private Process process;

    /**
     * @param port fixed port, or 0 for a free one chosen by Azurite itself on the first start (kept afterwards)
     */
    AzuriteService(String service, AzuriteInstallation installation, Path dataDirectory, Path log,
                   boolean verbose, int port) {
        this.service = service;
        this.installation = installation;
        this.dataDirectory = dataDirectory;
        this.log = log;
        this.verbose = verbose;
        this.port = port;
    }

    synchronized int port() {
        return port;
    }

    synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    synchronized void start() {
        if (isRunning()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(
                NodeTools.node(), "--require", exitWithParentScript().toString(),
                installation.serviceScript(service).toString(),
                "--" + service + "Host", "127.0.0.1",
                "--" + service + "Port", Integer.toString(port),
                "--location", dataDirectory.toString(),
                // The SDKs in the BOM may speak a newer service version than this Azurite knows.
                "--skipApiVersionCheck",
                "--loose",
                "--disableTelemetry"));
        if (!verbose) {
            command.add("--silent");
        }
        long logOffset = LogFiles.size(log);
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "---- starting: " + String.join(" ", command) + System.lineSeparator(),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start Azurite " + service + " (" + command + ")", e);
        }
        port = awaitListeningPort(logOffset);
        awaitHttpAnswer();
    }

    private Path exitWithParentScript() {
        // One file per service: blob and queue start at the same time and share the data folder.
        Path script = dataDirectory.resolve("exit-with-parent-" + service + ".js");
        try {
            if (!Files.exists(script)) {
                Files.writeString(script, EXIT_WITH_PARENT_SCRIPT);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + script, e);
        }
        return script;
    }

    synchronized void stop() {
        if (process != null) {
            ProcessTrees.kill(process.toHandle());
            process = null;
        }
    }

    /** Azurite prints its real port once it listens; parsing it avoids a race for a "free" port. */
    private int awaitListeningPort(long logOffset) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher listening = LISTENING.matcher(LogFiles.readFrom(log, logOffset));
            if (listening.find()) {
                return Integer.parseInt(listening.group(1));
            }
            if (!process.isAlive()) {
                throw failure("exited with code " + process.exitValue() + " before listening");
            }
            sleep(50);
        }
        throw failure("did not listen within " + START_TIMEOUT.toSeconds() + " s");
    }

    /** Any HTTP answer (an auth error included) proves the service handles requests. */
    private void awaitHttpAnswer() {
        URI probe = URI.create("http://127.0.0.1:" + port + "/" + Emulators.AZURE_ACCOUNT + "?comp=list");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                PROBE.send(HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                last = e;
                sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("interrupted while waiting for it");
            }
        }
        throw failure("listens on " + port + " but does not answer HTTP (" + last + ")");
    }

    private IllegalStateException failure(String what) {
        stop();
        return new IllegalStateException("Azurite " + service + " " + what + "; its output (" + log
                + ") ends with:\n" + LogFiles.tail(log, 20));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Azurite", e);
        }
    }
}
