package dev.skyferry.copy;

import dev.skyferry.verify.WrittenReplica;

/** How a copy ended, when it did not fail. */
public sealed interface CopyResult {

    /**
     * The replica was written (and, for streamed copies, the bytes matched the source's checksum).
     *
     * @param action {@code streamed}, {@code server-side} or {@code streamed-after-fallback}
     */
    record Copied(String action, long bytes, WrittenReplica replica) implements CopyResult {}

    /** Deliberately not copied after looking at the source; {@code reason} is one of {@code ReasonCodes}. */
    record NotCopied(String reason, String detail) implements CopyResult {}

    String STREAMED = "streamed";
    String SERVER_SIDE = "server-side";
    String STREAMED_AFTER_FALLBACK = "streamed-after-fallback";
}
