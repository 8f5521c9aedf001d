package dev.skyferry.app.config;

import java.util.List;

/** The configuration is unusable; {@link #problems()} lists every problem, each with its path. */
public class ConfigException extends RuntimeException {

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super("invalid configuration:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
