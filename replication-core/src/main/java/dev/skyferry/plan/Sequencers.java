package dev.skyferry.plan;

import java.util.Locale;

/**
 * Orders the per-key sequencers both clouds put on their events. S3 documents its sequencer as a
 * hex string to be compared only for the same key, after left-padding the shorter one with zeros;
 * Azure's is opaque, of varying length in its own examples, and ordered the same way. Callers must
 * only compare sequencers of events for the same object.
 */
public final class Sequencers {

    private Sequencers() {}

    /** Compares two sequencers of the same key: negative when {@code a} is older than {@code b}. */
    public static int compare(String a, String b) {
        int width = Math.max(a.length(), b.length());
        return leftPad(a, width).compareTo(leftPad(b, width));
    }

    // Upper-cased so that hex written in either case orders the same.
    private static String leftPad(String sequencer, int width) {
        String normalized = sequencer.toUpperCase(Locale.ROOT);
        return "0".repeat(width - normalized.length()) + normalized;
    }
}
