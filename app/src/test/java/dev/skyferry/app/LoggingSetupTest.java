package dev.skyferry.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoggingSetupTest {

    @Test
    void aKeyWithLineBreaksStaysOnItsOwnLogLineInTextFormat() {
        LoggerContext context = new LoggerContext();
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.setPattern(LoggingSetup.TEXT_PATTERN);
        layout.start();
        LoggingEvent event = new LoggingEvent(
                getClass().getName(), context.getLogger("dev.skyferry.worker.Worker"), Level.INFO,
                "replicated {}", null, new Object[] {"photos/a\nb"});
        event.setMDCPropertyMap(Map.of("object", "s3://photos/x\r\n12:00:00.000 INFO  forged\u001b[31m"));

        String line = layout.doLayout(event);

        assertThat(line).endsWith("\n");
        assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n", "\r", "\u001b");
        assertThat(line).contains("replicated photos/a\\nb", "s3://photos/x\\r\\n12:00:00.000 INFO  forged?[31m");
    }
}
