package dev.skyferry.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;

/** An SQS message released with a delay stays hidden until the delay is over. */
@ExtendWith(EmulatorExtension.class)
class SqsReleaseDelayTest {

    private SqsClient sqs;
    private String queueUrl;
    private Emulators emulators;

    @BeforeEach
    void createQueue(Emulators emulators) {
        this.emulators = emulators;
        sqs = emulators.sqsClient();
        queueUrl = sqs.createQueue(r -> r.queueName(Emulators.freshName("sqsrel"))).queueUrl();
    }

    /** Worker: "transient failures ... released with a growing visibility delay". */
    @Test
    void releasedWithADelayTheMessageStaysHiddenUntilTheDelayIsOver() throws Exception {
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody("retry me later"));
        SqsSource source = new SqsSource(new SqsSourceSettings("s3-events", queueUrl, null, Duration.ofSeconds(30),
                Duration.ofSeconds(1)), sqs, emulators.sqsDeletes(), Clock.systemUTC());
        ReceivedMessage message = source.receive(1).getFirst();

        source.release(message, Duration.ofSeconds(4));

        assertThat(source.receive(10)).as("hidden while the delay runs").isEmpty();
        Thread.sleep(4_000);
        assertThat(source.receive(10)).as("back once it is over").hasSize(1);
    }
}
