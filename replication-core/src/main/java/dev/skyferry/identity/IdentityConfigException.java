package dev.skyferry.identity;

import java.util.List;

/** Identity settings that cannot work; {@link #problems()} lists every problem with its path. */
public final class IdentityConfigException extends IllegalArgumentException {

    private final List<String> problems;

    public IdentityConfigException(List<String> problems) {
        super("invalid identity settings:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
