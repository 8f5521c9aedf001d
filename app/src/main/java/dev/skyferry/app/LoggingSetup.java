package dev.skyferry.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/** Applies the config's {@code logging} section: JSON lines (default) or text, and the root level. */
final class LoggingSetup {

    /**
     * Object keys and messages from the clouds reach the message and the MDC as they are: a key holding a
     * line break would otherwise start a line of its own that reads like one of ours. So line breaks are
     * written as {@code \n}/{@code \r} and any other control character as {@code ?} (JSON escapes them itself).
     */
    static final String TEXT_PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{20} "
            + "%replace(%replace(%replace(%msg %mdc){'\\n', '\\\\n'}){'\\r', '\\\\r'}){'\\p{Cntrl}', '?'}%n";

    private LoggingSetup() {}

    static void apply(String format, String level) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level, Level.INFO));

        Encoder<ILoggingEvent> encoder;
        if ("text".equals(format)) {
            PatternLayoutEncoder pattern = new PatternLayoutEncoder();
            pattern.setPattern(TEXT_PATTERN);
            encoder = pattern;
        } else {
            encoder = new LogstashEncoder();
        }
        encoder.setContext(context);
        encoder.start();

        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("STDOUT");
        appender.setEncoder(encoder);
        appender.start();
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
    }
}
