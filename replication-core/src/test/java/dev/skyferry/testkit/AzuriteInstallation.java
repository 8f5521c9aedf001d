package dev.skyferry.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Azurite as installed by npm from the committed {@code tools/azurite/package-lock.json} into the
 * git-ignored {@code tools/azurite/node_modules}. Installs on first use, so a fresh clone needs no
 * extra step; a file lock keeps two test JVMs (or a test run and {@code skyferry local}) from running
 * {@code npm ci} over each other.
 */
final class AzuriteInstallation {

    /** Overrides where {@code tools/azurite} is, for runs outside the repository. */
    static final String DIRECTORY_PROPERTY = "skyferry.azurite.dir";

    private static final Path RELATIVE_DIRECTORY = Path.of("tools", "azurite");
    private static final long INSTALL_TIMEOUT_MINUTES = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;

    private AzuriteInstallation(Path directory) {
        this.directory = directory;
    }

    /** Finds {@code tools/azurite} by walking up from the working directory (or the system property). */
    static AzuriteInstallation locate() {
        String override = System.getProperty(DIRECTORY_PROPERTY);
        if (override != null && !override.isBlank()) {
            Path dir = Path.of(override).toAbsolutePath().normalize();
            if (!Files.isRegularFile(dir.resolve("package.json"))) {
                throw new IllegalStateException("-D" + DIRECTORY_PROPERTY + "=" + override
                        + " has no package.json; point it at the repository's tools/azurite folder");
            }
            return new AzuriteInstallation(dir);
        }
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(RELATIVE_DIRECTORY).resolve("package.json"))) {
                return new AzuriteInstallation(dir.resolve(RELATIVE_DIRECTORY));
            }
        }
        throw new IllegalStateException("no tools/azurite/package.json in " + start + " or any folder above it;"
                + " run from inside the Skyferry repository or set -D" + DIRECTORY_PROPERTY);
    }

    /** The repository root (the folder holding {@code tools/azurite}). */
    Path repositoryRoot() {
        return directory.getParent().getParent();
    }

    /** The node script that runs one Azurite service ({@code "blob"} or {@code "queue"}). */
    Path serviceScript(String service) {
        return packageDirectory().resolve("dist").resolve("src").resolve(service).resolve("main.js");
    }

    /**
     * Runs {@code npm ci} unless node_modules already holds the pinned Azurite version.
     *
     * @param logDirectory where npm's output goes, so a failed install can be read
     */
    void ensureInstalled(Path logDirectory) {
        if (isInstalled()) {
            return;
        }
        Path lockFile = Path.of(System.getProperty("java.io.tmpdir"),
                "skyferry-azurite-install-" + Integer.toHexString(directory.toString().hashCode()) + ".lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            // Another JVM may have finished the install while this one waited for the lock.
            if (!isInstalled()) {
                runNpmCi(logDirectory);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not install Azurite in " + directory, e);
        }
        if (!isInstalled()) {
            throw new IllegalStateException("npm ci finished but " + packageDirectory()
                    + " still does not hold azurite " + pinnedVersion());
        }
    }

    private boolean isInstalled() {
        Path installed = packageDirectory().resolve("package.json");
        // npm writes its hidden lockfile when an install completes: without it, an install was cut short.
        if (!Files.isRegularFile(directory.resolve("node_modules").resolve(".package-lock.json"))
                || !Files.isRegularFile(installed) || !Files.isRegularFile(serviceScript("blob"))
                || !Files.isRegularFile(serviceScript("queue"))) {
            return false;
        }
        return pinnedVersion().equals(readJson(installed).path("version").asText());
    }

    private String pinnedVersion() {
        String version = readJson(directory.resolve("package.json")).path("dependencies").path("azurite").asText();
        if (version.isEmpty()) {
            throw new IllegalStateException(directory.resolve("package.json") + " does not pin an azurite version");
        }
        return version;
    }

    private Path packageDirectory() {
        return directory.resolve("node_modules").resolve("azurite");
    }

    private void runNpmCi(Path logDirectory) throws IOException {
        Files.createDirectories(logDirectory);
        Path log = logDirectory.resolve("npm-ci-azurite.log");
        List<String> command = new ArrayList<>(List.of(NodeTools.npm(), "ci", "--no-audit", "--no-fund"));
        Process npm = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            if (!npm.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                ProcessTrees.kill(npm.toHandle());
                throw new IllegalStateException("npm ci in " + directory + " did not finish within "
                        + INSTALL_TIMEOUT_MINUTES + " minutes; see " + log);
            }
        } catch (InterruptedException e) {
            ProcessTrees.kill(npm.toHandle());
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing Azurite", e);
        }
        if (npm.exitValue() != 0) {
            throw new IllegalStateException("npm ci in " + directory + " failed with exit code " + npm.exitValue()
                    + "; its output (" + log + ") ends with:\n" + LogFiles.tail(log, 20));
        }
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }
}
