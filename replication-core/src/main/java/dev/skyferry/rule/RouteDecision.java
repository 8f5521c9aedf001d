package dev.skyferry.rule;

import java.util.Locale;
import java.util.Objects;

/** What the rules say about one event or key: replicate along a route, or not, and why not. */
public sealed interface RouteDecision permits RouteDecision.Routed, RouteDecision.Rejected {

    record Routed(Route route) implements RouteDecision {
        public Routed {
            Objects.requireNonNull(route, "route");
        }
    }

    /**
     * Not replicated. {@link RejectCode#deliberateSkip()} separates the configuration working as
     * intended (filtered, one-way rule) from events that should not have arrived at all.
     *
     * @param reason says what was compared with what, e.g. the host that did not match
     */
    record Rejected(RejectCode code, String reason) implements RouteDecision {
        public Rejected {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(reason, "reason");
        }
    }

    enum RejectCode {
        /** No rule covers this account / container / bucket / prefix. Misrouted events or a config gap. */
        NO_MATCHING_RULE(false),
        /**
         * A rule covers the object, but not in this direction (a one-way rule seeing an event from its
         * target side, e.g. the echo of Skyferry's own replica writes). Expected; skip.
         */
        DIRECTION_DISABLED(true),
        /** The rule's include/exclude filter leaves the key out. Expected; skip. */
        FILTERED(true),
        /**
         * An Azure event whose {@code data.url} is not on the rule's account endpoint: possibly forged;
         * never fetched.
         */
        FOREIGN_URL(false),
        /** The mapped key cannot exist in the target store (too long, invalid Unicode, empty). */
        UNREPRESENTABLE_KEY(false);

        private final boolean deliberateSkip;

        RejectCode(boolean deliberateSkip) {
            this.deliberateSkip = deliberateSkip;
        }

        /** True when this is configuration doing its job; false when someone should look. */
        public boolean deliberateSkip() {
            return deliberateSkip;
        }

        /** Lower-case, hyphenated, for the {@code reason} metric label: {@code no-matching-rule}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}
