package dev.skyferry.identity;

import java.util.Objects;

/**
 * A secret setting (client secret, certificate password, access key, connection string). Its
 * {@code toString} never shows the value, so a settings record can be logged or put in an error
 * message without leaking it; {@link #reveal()} is called only where the SDK needs the value.
 */
public final class Secret {

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    /** Null or blank gives null: an absent secret is not a secret. */
    public static Secret ofNullable(String value) {
        return value == null || value.isBlank() ? null : new Secret(value);
    }

    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && value.equals(other.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "****";
    }
}
