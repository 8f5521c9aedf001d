package dev.skyferry.rule;

import java.util.List;

/** Every problem found in a list of rules, each prefixed with its path ({@code rules[1].s3.bucket: ...}). */
public final class InvalidRuleSetException extends IllegalArgumentException {

    private final List<String> problems;

    public InvalidRuleSetException(List<String> problems) {
        super("invalid rules: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
