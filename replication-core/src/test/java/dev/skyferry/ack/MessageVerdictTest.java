package dev.skyferry.ack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageVerdictTest {

    private static final Outcome REPLICATED = new Outcome.Replicated("copied", 10, Duration.ofMillis(5),
            URI.create("s3://photos-backup/a"));
    private static final Outcome SKIPPED = new Outcome.Skipped("echo-of-replica", "");
    private static final Outcome.Retry THROTTLED = new Outcome.Retry("throttled", "503", null);
    private static final Outcome.DeadLetter FORBIDDEN = new Outcome.DeadLetter("forbidden", "403", null);
    private static final Outcome.DeadLetter UNPARSEABLE = new Outcome.DeadLetter("unparseable", "not JSON", null);

    @Test
    void aMessageWhoseEventsAllSettledIsDeleted() {
        assertThat(MessageVerdict.of(List.of(REPLICATED, SKIPPED))).isInstanceOf(MessageVerdict.Delete.class);
        assertThat(MessageVerdict.of(List.of())).isInstanceOf(MessageVerdict.Delete.class);
    }

    @Test
    void anyRetryReleasesTheWholeMessageEvenBesideAPermanentFailure() {
        assertThat(MessageVerdict.of(List.of(REPLICATED, FORBIDDEN, THROTTLED)))
                .isEqualTo(new MessageVerdict.Release(THROTTLED));
    }

    @Test
    void otherwiseTheFirstPermanentFailureDeadLettersIt() {
        assertThat(MessageVerdict.of(List.of(REPLICATED, UNPARSEABLE, FORBIDDEN)))
                .isEqualTo(new MessageVerdict.DeadLetter(UNPARSEABLE));
    }
}
