package dev.skyferry.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects every problem of a settings record and throws one {@link IllegalArgumentException} that
 * lists them all, each with the bad value ("maxAttempts must be ≥ 1, was 0"), so an operator fixes a
 * config in one round instead of one error per restart.
 */
public final class SettingsValidation {

    private final String what;
    private final List<String> problems = new ArrayList<>();

    private SettingsValidation(String what) {
        this.what = what;
    }

    /** @param what names the record in the message, e.g. "retry settings" */
    public static SettingsValidation of(String what) {
        return new SettingsValidation(what);
    }

    public SettingsValidation check(boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
        }
        return this;
    }

    public SettingsValidation notNull(Object value, String name) {
        return check(value != null, name + " must be set");
    }

    public SettingsValidation notBlank(String value, String name) {
        return check(value != null && !value.isBlank(), name + " must not be blank, was " + quoted(value));
    }

    public SettingsValidation atLeast(long value, long min, String name) {
        return check(value >= min, name + " must be ≥ " + min + ", was " + value);
    }

    public SettingsValidation between(long value, long min, long max, String name) {
        return check(value >= min && value <= max, name + " must be between " + min + " and " + max + ", was " + value);
    }

    /** Null passes here: pair with {@link #notNull} where the duration is required. */
    public SettingsValidation positive(Duration value, String name) {
        return check(value == null || (!value.isNegative() && !value.isZero()), name + " must be > 0, was " + value);
    }

    public SettingsValidation notNegative(Duration value, String name) {
        return check(value == null || !value.isNegative(), name + " must be ≥ 0, was " + value);
    }

    public SettingsValidation atMost(Duration value, Duration max, String name, String why) {
        return check(value == null || value.compareTo(max) <= 0,
                name + " must be ≤ " + max + " (" + why + "), was " + value);
    }

    /** Throws when any check failed. */
    public void orThrow() {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid " + what + ": " + String.join("; ", problems));
        }
    }

    private static String quoted(String value) {
        return value == null ? "null" : "\"" + value + "\"";
    }
}
