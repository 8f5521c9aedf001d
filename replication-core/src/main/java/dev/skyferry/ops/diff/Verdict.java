package dev.skyferry.ops.diff;

import dev.skyferry.store.ObjectInfo;

/**
 * How one source object stands against its replica.
 *
 * @param source    the source object as listed
 * @param targetKey where its replica belongs; null when the rules route it nowhere
 * @param target    what is at the target key; null when nothing is
 * @param detail    why, in words: what was compared with what
 */
public record Verdict(Kind kind, ObjectInfo source, String targetKey, ObjectInfo target, String detail) {

    public enum Kind {
        /** The replica matches the source (same content, or provenance names this source version). */
        IN_SYNC("in-sync", false),
        /** No replica: backfill copies it. */
        MISSING("missing", true),
        /** A replica of an older version, a corrupt one, or a foreign object at the target key. */
        DIFFERENT("different", true),
        /** The source object is itself a Skyferry replica: copying it back would loop. */
        SOURCE_IS_REPLICA("source-is-replica", false),
        /** The rule's filter or direction leaves it out, as configured. */
        EXCLUDED("excluded", false),
        /** The rules cannot map it (a key the target cannot hold): it will never be replicated. */
        UNREPLICABLE("unreplicable", true);

        private final String label;
        private final boolean drift;

        Kind(String label, boolean drift) {
            this.label = label;
            this.drift = drift;
        }

        public String label() {
            return label;
        }

        /** True when the target does not hold what the rules say it should. */
        public boolean drift() {
            return drift;
        }

        /** True for the kinds backfill acts on. */
        public boolean needsCopy() {
            return this == MISSING || this == DIFFERENT;
        }
    }
}
