package dev.skyferry.app;

import dev.skyferry.app.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Prints configuration problems as a list (exit 2) instead of a stack trace. */
final class ConfigProblemHandler implements IExecutionExceptionHandler {

    /** Exit code for an unusable configuration, distinct from a failed run (1). */
    static final int INVALID_CONFIG = 2;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cli, ParseResult parsed) throws Exception {
        if (ex instanceof ConfigException config) {
            cli.getErr().println("skyferry: invalid configuration (" + config.problems().size() + " problem"
                    + (config.problems().size() == 1 ? "" : "s") + "):");
            config.problems().forEach(p -> cli.getErr().println("  - " + p));
            cli.getErr().flush();
            return INVALID_CONFIG;
        }
        throw ex;
    }
}
