package dev.skyferry.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueMessageEncoding;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyferry.event.EventParser;
import dev.skyferry.event.ParsedMessage;
import dev.skyferry.event.SyntheticEvents;
import dev.skyferry.ops.OpsFixtures;
import dev.skyferry.ops.StoreWrites;
import dev.skyferry.ops.progress.Progress;
import dev.skyferry.ops.replay.ReplayRecord.Action;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.Precondition;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmulatorExtension.class)
class EventGridReplayTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BLOB = "MY-SUB/2025/6/1/10/3f7d2a52-5b8e-4a41-9a43-0c6e3f0f1a11.json";
    private static final String OTHER_BLOB = "OTHER-SUB/2025/6/1/10/8a1e0c0e-1111-4d0e-9d7c-2b9b1f0e7c21.json";

    private final Emulators emulators;
    private final OpsFixtures fixtures;
    private ObjectStore container;
    private QueueClient source;

    EventGridReplayTest(Emulators emulators) {
        this.emulators = emulators;
        this.fixtures = new OpsFixtures(emulators);
    }

    @BeforeEach
    void setUp() {
        container = fixtures.newContainer("deadletters");
        source = emulators.queueService(QueueMessageEncoding.NONE).getQueueClient(Emulators.freshName("events"));
        source.create();
    }

    @Test
    void reEnqueuesEachEventAsEventGridDeliversItAndDeletesTheBlob() throws Exception {
        List<ObjectNode> events = List.of(deadLettered("a.txt", "MaxDeliveryAttemptsExceeded"),
                deadLettered("dir/b c.txt", "MaxDeliveryAttemptsExceeded"), deadLettered("c.txt", "TimeToLiveExceeded"));
        writeBlob(BLOB, events);
        writeBlob(OTHER_BLOB, List.of(deadLettered("other.txt", "MaxDeliveryAttemptsExceeded")));

        ReplayResult result = replay("my-sub", ReplayOptions.all(), new ArrayList<>());

        assertThat(result.count(Action.REPLAYED)).isEqualTo(3);
        List<String> messages = drain(source);
        assertThat(messages).hasSize(3);
        for (int i = 0; i < 3; i++) {
            // Base64 of the event alone, exactly as it was before Event Grid added its delivery facts.
            JsonNode delivered = JSON.readTree(Base64.getDecoder().decode(messages.get(i)));
            ObjectNode expected = events.get(i).deepCopy();
            expected.remove(EventGridDeadLetters.DELIVERY_FACTS);
            assertThat(delivered).isEqualTo(expected);
        }
        assertThat(messages).extracting(EventGridReplayTest::keyOf).containsExactly("a.txt", "dir/b c.txt", "c.txt");
        assertThat(container.stat(BLOB)).isEmpty();
        assertThat(container.stat(OTHER_BLOB)).isPresent(); // another subscription's, not selected
    }

    @Test
    void aPartialReplayRewritesTheBlobWithTheEventsThatStayedAndTheNextRunTakesThem() throws Exception {
        writeBlob(BLOB, List.of(deadLettered("1.txt", "MaxDeliveryAttemptsExceeded"),
                deadLettered("2.txt", "TimeToLiveExceeded"), deadLettered("3.txt", "MaxDeliveryAttemptsExceeded")));
        ReplayFilter ttlOnly = new ReplayFilter(List.of("timetolive"), null, null, null, null);

        ReplayResult first = replay("MY-SUB", new ReplayOptions(ttlOnly, null, null, false), new ArrayList<>());

        assertThat(first.count(Action.REPLAYED)).isEqualTo(1);
        assertThat(drain(source)).extracting(EventGridReplayTest::keyOf).containsExactly("2.txt");
        JsonNode remaining = readBlob(BLOB);
        assertThat(remaining).hasSize(2);
        assertThat(remaining.get(0).get("deadLetterReason").asText()).isEqualTo("MaxDeliveryAttemptsExceeded"); // facts kept
        assertThat(remaining).extracting(e -> e.get("subject").asText())
                .allSatisfy(subject -> assertThat(subject).doesNotEndWith("/2.txt"));

        ReplayResult second = replay("MY-SUB", ReplayOptions.all(), new ArrayList<>());

        assertThat(second.count(Action.REPLAYED)).isEqualTo(2);
        assertThat(drain(source)).extracting(EventGridReplayTest::keyOf).containsExactly("1.txt", "3.txt");
        assertThat(container.stat(BLOB)).isEmpty();
    }

    @Test
    void dryRunListsEventsWithTheirDeliveryFactsAndChangesNothing() throws Exception {
        writeBlob(BLOB, List.of(deadLettered("x.txt", "MaxDeliveryAttemptsExceeded")));
        String etagBefore = container.stat(BLOB).orElseThrow().etag();
        List<ReplayRecord> records = new CopyOnWriteArrayList<>();

        ReplayResult result = replay(null, new ReplayOptions(ReplayFilter.ALL, null, null, true), records);

        assertThat(result.count(Action.WOULD_REPLAY)).isEqualTo(1);
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo(BLOB + "#0");
            assertThat(r.letter().facts().reason()).isEqualTo("MaxDeliveryAttemptsExceeded");
            assertThat(r.letter().facts().attempts()).isEqualTo(30);
            assertThat(r.letter().facts().detail()).isEqualTo("last delivery outcome NotFound (HTTP 404)");
            assertThat(r.letter().facts().deadLetteredAt()).isEqualTo(Instant.parse("2025-06-01T10:15:00.1234567Z"));
            assertThat(r.events()).singleElement().satisfies(e -> assertThat(e.key()).isEqualTo("x.txt"));
        });
        assertThat(drain(source)).isEmpty();
        assertThat(container.stat(BLOB).orElseThrow().etag()).isEqualTo(etagBefore);
    }

    @Test
    void aBlobChangedDuringReplayIsLeftAloneSoNothingIsLost() throws Exception {
        writeBlob(BLOB, List.of(deadLettered("k.txt", "MaxDeliveryAttemptsExceeded")));
        EventGridDeadLetters deadLetters = new EventGridDeadLetters(container, "MY-SUB");
        // Event Grid (or a second replay) writes the blob between our read and our delete.
        DeadLetterSource racing = new RewriteBeforeSettle(deadLetters, container, BLOB,
                List.of(deadLettered("k.txt", "MaxDeliveryAttemptsExceeded"), deadLettered("late.txt", "MaxDeliveryAttemptsExceeded")));

        ReplayResult result = new Replayer(new EventParser(), CLOCK).run(racing, new AzureQueueDestination(source),
                ReplayOptions.all(), new Progress("dead letters"), r -> { });

        assertThat(result.count(Action.REPLAYED)).isEqualTo(1);
        assertThat(result.stoppedEarly()).contains("changed during replay");
        assertThat(readBlob(BLOB)).hasSize(2); // the late event is still there; k.txt will go again (duplicate, not loss)
    }

    // ---- helpers ----

    private ReplayResult replay(String subscription, ReplayOptions options, List<ReplayRecord> records) {
        return new Replayer(new EventParser(), CLOCK).run(new EventGridDeadLetters(container, subscription),
                new AzureQueueDestination(source), options, new Progress("dead letters"), records::add);
    }

    /** An Event Grid BlobCreated event as it sits in a dead-letter blob. */
    private ObjectNode deadLettered(String blobName, String reason) throws Exception {
        ObjectNode event = (ObjectNode) JSON.readTree(SyntheticEvents.azureBlobCreated(emulators.azureAccount(), "photos",
                blobName, "0x8DD0000000000001", 9_007_199_254_740_993L, "text/plain",
                "00000000000000000000000000004a1b0000000000002c7e", emulators.blobEndpoint(),
                Instant.parse("2025-06-01T09:00:00Z")));
        event.put("deadLetterReason", reason);
        event.put("deliveryAttempts", 30);
        event.put("lastDeliveryOutcome", "NotFound");
        event.put("lastHttpStatusCode", 404);
        event.put("publishTime", "2025-06-01T09:00:00.5000000Z");
        event.put("lastDeliveryAttemptTime", "2025-06-01T10:15:00.1234567Z");
        return event;
    }

    private void writeBlob(String name, List<ObjectNode> events) throws Exception {
        ArrayNode array = JSON.createArrayNode();
        events.forEach(array::add);
        StoreWrites.put(container, name, JSON.writeValueAsString(array), Map.of());
    }

    private JsonNode readBlob(String name) throws Exception {
        try (ObjectStore.OpenObject open = container.open(name, null, Precondition.NONE)) {
            return JSON.readTree(open.content());
        }
    }

    private static String keyOf(String queueText) {
        ParsedMessage parsed = new EventParser().parseAzureQueueMessage(queueText);
        return ((ParsedMessage.Accepted) parsed.items().get(0)).event().key();
    }

    private static List<String> drain(QueueClient queue) {
        List<String> texts = new ArrayList<>();
        while (true) {
            List<String> batch = new ArrayList<>();
            queue.receiveMessages(32, java.time.Duration.ofMinutes(1), null, null).forEach(m -> batch.add(m.getBody().toString()));
            if (batch.isEmpty()) {
                return texts;
            }
            texts.addAll(batch);
        }
    }

    /** Rewrites the blob just before the replay settles it, as a concurrent writer would. */
    private record RewriteBeforeSettle(DeadLetterSource inner, ObjectStore container, String blob, List<ObjectNode> events)
            implements DeadLetterSource {
        @Override public String describe() { return inner.describe(); }
        @Override public java.util.OptionalLong approximateCount() { return inner.approximateCount(); }
        @Override public Batch next() { return inner.next(); }
        @Override public void remove(DeadLetter letter) { inner.remove(letter); }
        @Override public void keep(DeadLetter letter) { inner.keep(letter); }
        @Override public void close() { inner.close(); }

        @Override
        public void batchDone() {
            ArrayNode array = JSON.createArrayNode();
            events.forEach(array::add);
            try {
                StoreWrites.put(container, blob, JSON.writeValueAsString(array), Map.of());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            inner.batchDone();
        }
    }
}
