package dev.skyferry.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Captures every log event while open, with the given loggers set to the given levels (restored on
 * close). For asserting what is logged, and what must never be (tokens, keys).
 */
public final class LogCapture implements AutoCloseable {

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Map<Logger, Level> previous = new HashMap<>();

    public LogCapture(Map<String, Level> levels) {
        appender.setContext(context);
        appender.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
        levels.forEach((name, level) -> {
            Logger logger = context.getLogger(name);
            previous.put(logger, logger.getLevel());
            logger.setLevel(level);
        });
    }

    /** Every captured event, with its log context (MDC) for asserting the fields a line carries. */
    public List<ILoggingEvent> events() {
        synchronized (appender) { // AppenderBase appends under the appender's own lock
            return List.copyOf(appender.list);
        }
    }

    /** Every captured event as text: message, arguments rendered, and the stack trace with causes. */
    public List<String> lines() {
        return appender.list.stream()
                .map(e -> e.getLoggerName() + " " + e.getFormattedMessage()
                        + (e.getThrowableProxy() == null ? "" : "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy())))
                .toList();
    }

    @Override
    public void close() {
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(appender);
        previous.forEach(Logger::setLevel);
    }
}
