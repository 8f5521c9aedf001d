package dev.skyferry.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/** Sets the in-JVM emulators' log levels through logback; kept apart so a missing logback fails softly. */
final class EmulatorLogLevels {

    private EmulatorLogLevels() {
    }

    static void set(List<String> loggerNames, boolean verbose) {
        for (String name : loggerNames) {
            if (LoggerFactory.getLogger(name) instanceof Logger logger) {
                logger.setLevel(verbose ? Level.INFO : Level.WARN);
            }
        }
    }
}
