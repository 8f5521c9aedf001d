package dev.skyferry.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.QueueServiceClient;
import com.azure.storage.queue.models.PeekedMessageItem;
import com.azure.storage.queue.models.QueueMessageItem;
import dev.skyferry.event.EventParser;
import dev.skyferry.event.ParsedMessage;
import dev.skyferry.event.SyntheticEvents;
import dev.skyferry.ops.progress.Progress;
import dev.skyferry.ops.replay.ReplayRecord.Action;
import dev.skyferry.queue.AzureDeadLetterEnvelope;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmulatorExtension.class)
class AzurePoisonQueueReplayTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private final Emulators emulators;
    private final QueueServiceClient queues;
    private QueueClient source;
    private QueueClient poison;

    AzurePoisonQueueReplayTest(Emulators emulators) {
        this.emulators = emulators;
        this.queues = emulators.queueService(QueueMessageEncoding.NONE);
    }

    @BeforeEach
    void createQueues() {
        String name = Emulators.freshName("replay");
        source = queues.getQueueClient(name);
        source.create();
        poison = queues.getQueueClient(name + "-poison");
        poison.create();
    }

    @Test
    void unwrapsTheWorkersEnvelopeAndSendsTheOriginalTextBackUnchanged() {
        // As Event Grid writes it: base64 of the JSON, and that base64 text is what the envelope holds.
        String original = eventGridText("docs/report 1.pdf");
        poison.sendMessage(envelope(original, "forbidden", NOW.minus(Duration.ofHours(1))));

        ReplayResult result = replay(ReplayOptions.all(), new ArrayList<>());

        assertThat(result.count(Action.REPLAYED)).isEqualTo(1);
        assertThat(result.clean()).isTrue();
        PeekedMessageItem sentBack = source.peekMessage();
        assertThat(sentBack.getExpirationTime()).as("never expires").isAfter(sentBack.getInsertionTime().plusYears(1));
        List<String> back = drain(source);
        assertThat(back).containsExactly(original);
        assertThat(drain(poison)).isEmpty();
    }

    @Test
    void aPoisonMessageThatIsNotAnEnvelopeGoesBackAsItIs() {
        String moved = eventGridText("plain.txt"); // e.g. moved by an Azure Functions app
        poison.sendMessage(moved);
        List<ReplayRecord> records = new CopyOnWriteArrayList<>();

        ReplayResult result = replay(ReplayOptions.all(), records);

        assertThat(result.count(Action.REPLAYED)).isEqualTo(1);
        assertThat(records.get(0).letter().facts().reason()).isEqualTo(DeadLetterFacts.UNKNOWN);
        assertThat(records.get(0).letter().facts().deadLetteredAt()).isNotNull(); // insertion time
        assertThat(drain(source)).containsExactly(moved);
    }

    @Test
    void filtersAndDryRunListWithoutMovingAndReleaseEverything() {
        poison.sendMessage(envelope(eventGridText("keep/1.txt"), "checksum-mismatch", NOW.minus(Duration.ofHours(2))));
        poison.sendMessage(envelope(eventGridText("take/2.txt"), "forbidden", NOW.minus(Duration.ofHours(2))));
        poison.sendMessage(envelope(eventGridText("take/3.txt"), "forbidden", NOW.minus(Duration.ofDays(3))));
        ReplayFilter filter = new ReplayFilter(List.of("forbidden"), "take/",
                "azure://" + emulators.azureAccount() + "/photos", null, Duration.ofDays(1));
        List<ReplayRecord> records = new CopyOnWriteArrayList<>();

        ReplayResult dryRun = replay(new ReplayOptions(filter, null, null, true), records);

        assertThat(dryRun.count(Action.WOULD_REPLAY)).isEqualTo(1);
        assertThat(dryRun.count(Action.FILTERED_OUT)).isEqualTo(2);
        assertThat(records).filteredOn(r -> r.action() == Action.WOULD_REPLAY).singleElement().satisfies(r -> {
            assertThat(r.events()).singleElement().satisfies(e -> assertThat(e.key()).isEqualTo("take/2.txt"));
            assertThat(r.letter().facts().detail()).isEqualTo("403 AuthorizationPermissionMismatch");
            assertThat(r.letter().facts().attempts()).isEqualTo(5);
        });
        assertThat(drain(source)).isEmpty();
        assertThat(peek(poison)).hasSize(3); // released at once, not hidden for the visibility timeout

        ReplayResult real = replay(new ReplayOptions(filter, null, null, false), new ArrayList<>());

        assertThat(real.count(Action.REPLAYED)).isEqualTo(1);
        assertThat(drain(source)).extracting(AzurePoisonQueueReplayTest::keyOf).containsExactly("take/2.txt");
        assertThat(drain(poison)).extracting(text -> keyOf(originalOf(text)))
                .containsExactlyInAnyOrder("keep/1.txt", "take/3.txt");
    }

    // ---- helpers ----

    private ReplayResult replay(ReplayOptions options, List<ReplayRecord> records) {
        return new Replayer(new EventParser(), CLOCK).run(
                new AzurePoisonQueue(poison, SkyferryDeadLetterFormat.INSTANCE, Duration.ofMinutes(5)),
                new AzureQueueDestination(source), options, new Progress("dead letters"), records::add);
    }

    private String eventGridText(String blobName) {
        String json = SyntheticEvents.azureBlobCreated(emulators.azureAccount(), "photos", blobName, "0x8DD0000000000001",
                10, "text/plain", "000000000000000000000000000012340000000000001234", emulators.blobEndpoint(),
                Instant.parse("2025-06-01T00:00:00Z"));
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** The worker's poison-queue envelope, written by the worker's own code. */
    static String envelope(String originalText, String reason, Instant deadLetteredAt) {
        return new AzureDeadLetterEnvelope(reason, 5, "403 AuthorizationPermissionMismatch", deadLetteredAt.minusSeconds(120),
                "403 AuthorizationPermissionMismatch", deadLetteredAt, "azure-events", "skyferry-events", "m-1",
                deadLetteredAt.minusSeconds(300), originalText).toJson();
    }

    private static String originalOf(String poisonText) {
        return SkyferryDeadLetterFormat.INSTANCE.unwrapPoisonMessage(poisonText).orElseThrow().originalText();
    }

    private static String keyOf(String queueText) {
        ParsedMessage parsed = new EventParser().parseAzureQueueMessage(queueText);
        return ((ParsedMessage.Accepted) parsed.items().get(0)).event().key();
    }

    /** The visible messages, left visible. */
    private static List<String> peek(QueueClient queue) {
        List<String> texts = new ArrayList<>();
        queue.peekMessages(32, null, null).forEach(m -> texts.add(m.getBody().toString()));
        return texts;
    }

    private static List<String> drain(QueueClient queue) {
        List<String> texts = new ArrayList<>();
        while (true) {
            List<QueueMessageItem> batch = new ArrayList<>();
            queue.receiveMessages(32, Duration.ofMinutes(1), null, null).forEach(batch::add);
            if (batch.isEmpty()) {
                return texts;
            }
            batch.forEach(m -> texts.add(m.getBody().toString()));
        }
    }
}
