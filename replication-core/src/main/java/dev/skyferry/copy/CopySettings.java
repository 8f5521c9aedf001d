package dev.skyferry.copy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the engine copies: part size, parallelism per object, the global buffer memory budget and the
 * S3 → Azure mode. Validated here, where it is built; every problem is reported at once with the bad
 * value. The clouds' own part limits (S3 ≥ 5 MiB) are checked with the rest of the configuration in
 * {@code app}; this record checks what the engine itself needs.
 *
 * @param partSize               bytes per S3 part / Azure block; objects up to this size go in one request
 * @param partsInFlightPerObject parts of one object being uploaded at once (while more are read)
 * @param readStreamsPerObject   GETs reading one object's parts at once: the first reads from the
 *                               front, the others take ranges from the back (1: one sequential GET)
 * @param memoryBudget           bytes of part buffers held at once across all copies
 * @param s3ToAzureMode          whether S3 → Azure copies let Azure fetch the bytes itself
 */
public record CopySettings(long partSize, int partsInFlightPerObject, int readStreamsPerObject, long memoryBudget,
                           S3ToAzureMode s3ToAzureMode) {

    public static final long MIB = 1024 * 1024;
    /** 8 MiB: a few requests per typical object, small enough to keep many copies in flight. */
    public static final long DEFAULT_PART_SIZE = 8 * MIB;
    public static final int DEFAULT_PARTS_IN_FLIGHT = 4;
    /** One sequential GET: on the benchmark's emulators ranged reads gained no more than the noise (docs/benchmarks.md). */
    public static final int DEFAULT_READ_STREAMS = 1;
    public static final long DEFAULT_MEMORY_BUDGET = 256 * MIB;
    /** One part is one Java array, so it must stay well below 2 GiB. */
    public static final long MAX_PART_SIZE = 2000 * MIB;

    public CopySettings {
        List<String> problems = new ArrayList<>();
        if (partSize < 1 || partSize > MAX_PART_SIZE) {
            problems.add("copy.partSize must be between 1 byte and " + MAX_PART_SIZE + " bytes (2000MiB), was " + partSize);
        }
        if (partsInFlightPerObject < 1) {
            problems.add("copy.partsInFlightPerObject must be at least 1, was " + partsInFlightPerObject);
        }
        if (readStreamsPerObject < 1) {
            problems.add("copy.readStreamsPerObject must be at least 1, was " + readStreamsPerObject);
        }
        if (memoryBudget < partSize) {
            problems.add("copy.memoryBudget must hold at least one part (" + partSize + " bytes), was " + memoryBudget);
        }
        if (s3ToAzureMode == null) {
            problems.add("copy.s3ToAzureMode must be one of auto, server-side, stream, was null");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    public static CopySettings defaults() {
        return new CopySettings(DEFAULT_PART_SIZE, DEFAULT_PARTS_IN_FLIGHT, DEFAULT_READ_STREAMS, DEFAULT_MEMORY_BUDGET,
                S3ToAzureMode.AUTO);
    }

    /** {@code copy.s3ToAzureMode}. */
    public enum S3ToAzureMode {
        /** Server-side where the stores can; stream when Azure cannot fetch the source. */
        AUTO("auto"),
        /** Server-side only; a copy the stores cannot do server-side is dead-lettered. */
        SERVER_SIDE("server-side"),
        /** Always stream through this process. */
        STREAM("stream");

        private final String configName;

        S3ToAzureMode(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        /** Parses the configuration spelling ({@code auto}, {@code server-side}, {@code stream}). */
        public static S3ToAzureMode parse(String value) {
            for (S3ToAzureMode mode : values()) {
                if (mode.configName.equals(value == null ? null : value.trim().toLowerCase(Locale.ROOT))) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("copy.s3ToAzureMode must be one of auto, server-side, stream, was " + value);
        }
    }
}
