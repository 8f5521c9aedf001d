package dev.skyferry.testkit;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link Emulators#start(EmulatorOptions)} starts a set of emulators.
 *
 * @param azuriteBlobPort  loopback port of Azurite's Blob service; 0 picks a free one
 * @param azuriteQueuePort loopback port of Azurite's Queue service; 0 picks a free one
 * @param s3Port           loopback port of S3Proxy; 0 picks a free one
 * @param sqsPort          loopback port of ElasticMQ; 0 picks a free one
 * @param verbose          true: Azurite's access log and the in-JVM emulators' INFO logs; false: warnings only
 * @param logDirectory     where Azurite's output (and npm's, on first install) is written; empty: a
 *                         {@code target/emulator-logs} folder (see {@link Emulators})
 * @param awsAccessKeyId   the access key S3Proxy accepts; empty: a random one per set
 * @param awsSecretAccessKey its secret; given together with the key or not at all
 * @param s3DiskDirectory  empty: S3Proxy keeps objects in memory (jclouds {@code transient}, the default
 *                         for tests); a folder: S3Proxy stores them there (jclouds {@code filesystem}),
 *                         for objects too large for a Java array, e.g. the 2 GiB benchmark. The caller
 *                         owns the folder and deletes it.
 */
public record EmulatorOptions(
        int azuriteBlobPort,
        int azuriteQueuePort,
        int s3Port,
        int sqsPort,
        boolean verbose,
        Optional<Path> logDirectory,
        Optional<String> awsAccessKeyId,
        Optional<String> awsSecretAccessKey,
        Optional<Path> s3DiskDirectory) {

    /** Any free ports, quiet emulators, default log folder. */
    public static final EmulatorOptions DEFAULTS =
            new EmulatorOptions(0, 0, 0, 0, false, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    public EmulatorOptions {
        requirePort("azuriteBlobPort", azuriteBlobPort);
        requirePort("azuriteQueuePort", azuriteQueuePort);
        requirePort("s3Port", s3Port);
        requirePort("sqsPort", sqsPort);
        Objects.requireNonNull(logDirectory, "logDirectory must not be null (use Optional.empty())");
        Objects.requireNonNull(awsAccessKeyId, "awsAccessKeyId must not be null (use Optional.empty())");
        Objects.requireNonNull(awsSecretAccessKey, "awsSecretAccessKey must not be null (use Optional.empty())");
        Objects.requireNonNull(s3DiskDirectory, "s3DiskDirectory must not be null (use Optional.empty())");
        if (awsAccessKeyId.isPresent() != awsSecretAccessKey.isPresent()) {
            throw new IllegalArgumentException("awsAccessKeyId and awsSecretAccessKey go together, but only "
                    + (awsAccessKeyId.isPresent() ? "the key id (" + awsAccessKeyId.get() + ")" : "the secret")
                    + " is given");
        }
        awsAccessKeyId.ifPresent(id -> requireToken("awsAccessKeyId", id, id));
        // The secret's value never goes into a message.
        awsSecretAccessKey.ifPresent(secret -> requireToken("awsSecretAccessKey", secret, "(hidden)"));
        int[] fixed = {azuriteBlobPort, azuriteQueuePort, s3Port, sqsPort};
        for (int i = 0; i < fixed.length; i++) {
            for (int j = i + 1; j < fixed.length; j++) {
                if (fixed[i] != 0 && fixed[i] == fixed[j]) {
                    throw new IllegalArgumentException("each emulator needs its own port, but port " + fixed[i]
                            + " is given twice (azuriteBlobPort=" + azuriteBlobPort + ", azuriteQueuePort="
                            + azuriteQueuePort + ", s3Port=" + s3Port + ", sqsPort=" + sqsPort + ")");
                }
            }
        }
    }

    public static EmulatorOptions defaults() {
        return DEFAULTS;
    }

    /** Fixed ports (e.g. for {@code skyferry local}, so users can keep their tool settings); 0 = free port. */
    public EmulatorOptions withPorts(int azuriteBlobPort, int azuriteQueuePort, int s3Port, int sqsPort) {
        return new EmulatorOptions(azuriteBlobPort, azuriteQueuePort, s3Port, sqsPort, verbose, logDirectory,
                awsAccessKeyId, awsSecretAccessKey, s3DiskDirectory);
    }

    public EmulatorOptions withVerbose(boolean verbose) {
        return new EmulatorOptions(azuriteBlobPort, azuriteQueuePort, s3Port, sqsPort, verbose, logDirectory,
                awsAccessKeyId, awsSecretAccessKey, s3DiskDirectory);
    }

    public EmulatorOptions withLogDirectory(Path logDirectory) {
        return new EmulatorOptions(azuriteBlobPort, azuriteQueuePort, s3Port, sqsPort, verbose,
                Optional.of(Objects.requireNonNull(logDirectory, "logDirectory")), awsAccessKeyId, awsSecretAccessKey, s3DiskDirectory);
    }

    /** Fixed S3Proxy credentials (e.g. for {@code skyferry local}, so a user's AWS CLI profile keeps working). */
    public EmulatorOptions withAwsCredentials(String accessKeyId, String secretAccessKey) {
        return new EmulatorOptions(azuriteBlobPort, azuriteQueuePort, s3Port, sqsPort, verbose, logDirectory,
                Optional.ofNullable(accessKeyId), Optional.ofNullable(secretAccessKey), s3DiskDirectory);
    }

    /** S3Proxy stores objects as files under this existing folder instead of in memory (see {@link #s3DiskDirectory}). */
    public EmulatorOptions withS3OnDisk(Path directory) {
        return new EmulatorOptions(azuriteBlobPort, azuriteQueuePort, s3Port, sqsPort, verbose, logDirectory,
                awsAccessKeyId, awsSecretAccessKey, Optional.of(Objects.requireNonNull(directory, "directory")));
    }

    private static void requireToken(String name, String value, String shown) {
        if (value.isBlank() || value.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(name + " must be non-empty without spaces, was \"" + shown + "\"");
        }
    }

    private static void requirePort(String name, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(name + " must be 0 (any free port) or 1-65535, was " + port);
        }
    }
}
