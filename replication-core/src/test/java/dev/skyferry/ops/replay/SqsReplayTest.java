package dev.skyferry.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyferry.ack.Outcome;
import dev.skyferry.event.EventParser;
import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.event.SyntheticEvents;
import dev.skyferry.ops.progress.Progress;
import dev.skyferry.ops.replay.ReplayRecord.Action;
import dev.skyferry.queue.SqsDeadLetterAttributes;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

@ExtendWith(EmulatorExtension.class)
class SqsReplayTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private final SqsClient sqs;
    private String sourceUrl;
    private String dlqUrl;

    SqsReplayTest(Emulators emulators) {
        this.sqs = emulators.sqsClient();
    }

    @BeforeEach
    void queues() {
        String name = Emulators.freshName("replay");
        sourceUrl = sqs.createQueue(r -> r.queueName(name)).queueUrl();
        dlqUrl = sqs.createQueue(r -> r.queueName(name + "-dlq")).queueUrl();
    }

    @Test
    void replaysOriginalBodyAndProducerAttributesWithDeadLetterFactsStripped() {
        String body = s3Event("photos/a b+c.jpg");
        Map<String, MessageAttributeValue> attributes = new HashMap<>(workerFacts("forbidden", NOW.minusSeconds(60)));
        attributes.put("producer", text("kept"));
        sqs.sendMessage(r -> r.queueUrl(dlqUrl).messageBody(body).messageAttributes(attributes));

        ReplayResult result = replay(ReplayOptions.all(), new ArrayList<>());

        assertThat(result.count(Action.REPLAYED)).isEqualTo(1);
        assertThat(result.clean()).isTrue();
        List<Message> back = drain(sourceUrl);
        assertThat(back).hasSize(1);
        assertThat(back.get(0).body()).isEqualTo(body);
        assertThat(back.get(0).messageAttributes()).containsOnlyKeys("producer");
        assertThat(back.get(0).messageAttributes().get("producer").stringValue()).isEqualTo("kept");
        assertThat(drain(dlqUrl)).isEmpty();
    }

    @Test
    void takesOnlyWhatTheFiltersSelectAndReleasesTheRest() {
        sendDeadLetter(s3Event("a/forbidden.txt"), workerFacts("forbidden", NOW.minus(Duration.ofHours(3))));
        sendDeadLetter(s3Event("a/checksum.txt"), workerFacts("checksum-mismatch", NOW.minus(Duration.ofHours(3))));
        sendDeadLetter(s3Event("b/forbidden.txt"), workerFacts("forbidden", NOW.minus(Duration.ofHours(3))));
        sendDeadLetter(s3Event("a/recent.txt"), workerFacts("forbidden", NOW.minus(Duration.ofMinutes(5))));

        ReplayFilter filter = new ReplayFilter(List.of("FORBID"), "a/", "s3://photos-bucket/a", Duration.ofHours(1), null);
        List<ReplayRecord> records = new CopyOnWriteArrayList<>();
        ReplayResult result = replay(new ReplayOptions(filter, null, null, false), records);

        assertThat(result.count(Action.REPLAYED)).isEqualTo(1);
        assertThat(result.count(Action.FILTERED_OUT)).isEqualTo(3);
        assertThat(keysOf(drain(sourceUrl))).containsExactly("a/forbidden.txt");
        // Filtered-out letters are visible again at once: released, not left hidden for the visibility timeout.
        assertThat(keysOf(drain(dlqUrl))).containsExactlyInAnyOrder("a/checksum.txt", "b/forbidden.txt", "a/recent.txt");
        assertThat(records).filteredOn(r -> r.action() == Action.FILTERED_OUT).extracting(ReplayRecord::detail)
                .anySatisfy(d -> assertThat(d).contains("checksum-mismatch not selected"))
                .anySatisfy(d -> assertThat(d).contains("no event's key starts with a/"))
                .anySatisfy(d -> assertThat(d).contains("newer than"));
    }

    @Test
    void messagesMovedByTheRedrivePolicyReplayWithReasonRedrivePolicy() {
        sendDeadLetter(s3Event("x.txt"), Map.of());
        List<ReplayRecord> records = new CopyOnWriteArrayList<>();

        ReplayResult result = replay(new ReplayOptions(new ReplayFilter(List.of("redrive"), null, null, null, null),
                null, null, false), records);

        assertThat(result.count(Action.REPLAYED)).isEqualTo(1);
        assertThat(records.get(0).letter().facts().reason()).isEqualTo(DeadLetterFacts.REDRIVE_POLICY);
        assertThat(records.get(0).letter().facts().deadLetteredAt()).isNotNull(); // SentTimestamp
        assertThat(keysOf(drain(sourceUrl))).containsExactly("x.txt");
    }

    /**
     * A letter the redrive policy moved records no dead-letter time: the age filters count from its
     * SentTimestamp, which the move keeps from the original send (AWS: "the enqueue timestamp is unchanged").
     */
    @Test
    void aLetterTheRedrivePolicyMovedIsAgedFromItsSentTimestamp() {
        sendDeadLetter(s3Event("redriven.txt"), Map.of());
        Clock twoHoursLater = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
        ReplayFilter newerThanAnHour = new ReplayFilter(List.of(), null, null, null, Duration.ofHours(1));
        ReplayFilter olderThanAnHour = new ReplayFilter(List.of(), null, null, Duration.ofHours(1), null);

        ReplayResult tooOld = replay(twoHoursLater, new ReplayOptions(newerThanAnHour, null, null, false), new ArrayList<>());
        ReplayResult oldEnough = replay(twoHoursLater, new ReplayOptions(olderThanAnHour, null, null, false), new ArrayList<>());

        assertThat(tooOld.count(Action.FILTERED_OUT)).isEqualTo(1);
        assertThat(oldEnough.count(Action.REPLAYED)).isEqualTo(1);
        assertThat(keysOf(drain(sourceUrl))).containsExactly("redriven.txt");
    }

    @Test
    void dryRunListsWhatWouldMoveAndWhyItFailedAndMovesNothing() {
        sendDeadLetter(s3Event("d/1.txt"), workerFacts("forbidden", NOW.minus(Duration.ofHours(2))));
        sendDeadLetter(s3Event("d/2.txt"), workerFacts("checksum-mismatch", NOW.minus(Duration.ofHours(2))));
        List<ReplayRecord> records = new CopyOnWriteArrayList<>();

        ReplayResult result = replay(new ReplayOptions(ReplayFilter.ALL, null, null, true), records);

        assertThat(result.count(Action.WOULD_REPLAY)).isEqualTo(2);
        assertThat(result.count(Action.REPLAYED)).isZero();
        assertThat(records).allSatisfy(r -> {
            assertThat(r.action()).isEqualTo(Action.WOULD_REPLAY);
            assertThat(r.letter().facts().detail()).isEqualTo("AccessDenied on GET");
            assertThat(r.letter().facts().attempts()).isEqualTo(3);
            assertThat(r.events()).singleElement().extracting(ReplicationEvent::key).asString().startsWith("d/");
        });
        assertThat(records).extracting(r -> r.letter().facts().reason())
                .containsExactlyInAnyOrder("forbidden", "checksum-mismatch");
        assertThat(drain(sourceUrl)).isEmpty();
        assertThat(keysOf(drain(dlqUrl))).containsExactlyInAnyOrder("d/1.txt", "d/2.txt");
    }

    @Test
    void stopsAtTheLimitAndLeavesTheRest() {
        for (int i = 0; i < 5; i++) {
            sendDeadLetter(s3Event("l/" + i), workerFacts("forbidden", NOW.minusSeconds(10)));
        }

        ReplayResult result = replay(new ReplayOptions(ReplayFilter.ALL, 2L, 50.0, false), new ArrayList<>());

        assertThat(result.count(Action.REPLAYED)).isEqualTo(2);
        assertThat(result.limitReached()).isTrue();
        assertThat(drain(sourceUrl)).hasSize(2);
        assertThat(drain(dlqUrl)).hasSize(3);
    }

    @Test
    void replaysNoFasterThanTheRateAskedFor() {
        for (int i = 0; i < 6; i++) {
            sendDeadLetter(s3Event("r/" + i), workerFacts("forbidden", NOW.minusSeconds(10)));
        }

        List<Long> replayedAt = new CopyOnWriteArrayList<>();
        ReplayResult result = new Replayer(new EventParser(), CLOCK).run(
                new SqsDeadLetterQueue(sqs, dlqUrl, SkyferryDeadLetterFormat.INSTANCE, Duration.ofMinutes(5)),
                new SqsQueueDestination(sqs, sourceUrl), new ReplayOptions(ReplayFilter.ALL, null, 5.0, false),
                new Progress("dead letters"), record -> {
                    if (record.action() == Action.REPLAYED) {
                        replayedAt.add(System.nanoTime());
                    }
                });

        assertThat(result.count(Action.REPLAYED)).isEqualTo(6);
        // Five a second: the sixth waits for the next second's permits, though all six came in one receive.
        assertThat(Duration.ofNanos(replayedAt.get(5) - replayedAt.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(700));
    }

    @Test
    void failedDeleteAfterTheCopyDuplicatesOnTheNextRunButLosesNothing() {
        List<String> keys = List.of("c/1", "c/2", "c/3");
        keys.forEach(k -> sendDeadLetter(s3Event(k), workerFacts("forbidden", NOW.minusSeconds(10))));
        Duration shortVisibility = Duration.ofSeconds(1);

        // First run: every delete fails after its copy went out, as if the process died in between.
        DeadLetterSource crashing = new FailingRemove(
                new SqsDeadLetterQueue(sqs, dlqUrl, SkyferryDeadLetterFormat.INSTANCE, shortVisibility));
        ReplayResult first = new Replayer(new EventParser(), CLOCK)
                .run(crashing, new SqsQueueDestination(sqs, sourceUrl), ReplayOptions.all(), new Progress("dead letters"), r -> { });
        assertThat(first.count(Action.REPLAYED_NOT_REMOVED)).isEqualTo(3);
        assertThat(first.clean()).isFalse();

        // Second run, once the visibility timeout has passed: the same letters go out again.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> approximateVisible(dlqUrl) == 3);
        ReplayResult second = new Replayer(new EventParser(), CLOCK).run(
                new SqsDeadLetterQueue(sqs, dlqUrl, SkyferryDeadLetterFormat.INSTANCE, shortVisibility),
                new SqsQueueDestination(sqs, sourceUrl), ReplayOptions.all(), new Progress("dead letters"), r -> { });
        assertThat(second.count(Action.REPLAYED)).isEqualTo(3);

        List<String> delivered = keysOf(drain(sourceUrl));
        assertThat(delivered).hasSize(6).containsOnlyElementsOf(keys);
        assertThat(delivered).containsAll(keys);
        assertThat(drain(dlqUrl)).isEmpty();
    }

    @Test
    void processModeRunsTheEventsHereAndKeepsWhatFailed() {
        sendDeadLetter(s3Event("p/ok.txt"), workerFacts("retries-exhausted", NOW.minusSeconds(10)));
        sendDeadLetter(s3Event("p/bad.txt"), workerFacts("retries-exhausted", NOW.minusSeconds(10)));
        List<ReplicationEvent> processed = new CopyOnWriteArrayList<>();
        ReplayDestination pipeline = new ProcessingDestination(event -> {
            processed.add(event);
            return event.key().endsWith("bad.txt")
                    ? new Outcome.DeadLetter("forbidden", "still denied", null)
                    : new Outcome.Replicated("copied", 42, Duration.ofMillis(5), URI.create("azure://acct/photos/p/ok.txt"));
        });

        ReplayResult result = new Replayer(new EventParser(), CLOCK).run(
                new SqsDeadLetterQueue(sqs, dlqUrl, SkyferryDeadLetterFormat.INSTANCE, Duration.ofMinutes(5)),
                pipeline, ReplayOptions.all(), new Progress("dead letters"), r -> { });

        assertThat(processed).extracting(ReplicationEvent::key).containsExactlyInAnyOrder("p/ok.txt", "p/bad.txt");
        assertThat(processed).allSatisfy(e -> assertThat(e.container()).isEqualTo("photos-bucket"));
        assertThat(result.count(Action.REPLAYED)).isEqualTo(1);
        assertThat(result.count(Action.FAILED)).isEqualTo(1);
        assertThat(drain(sourceUrl)).isEmpty();
        assertThat(keysOf(drain(dlqUrl))).containsExactly("p/bad.txt");
    }

    // ---- helpers ----

    private ReplayResult replay(ReplayOptions options, List<ReplayRecord> records) {
        return replay(CLOCK, options, records);
    }

    private ReplayResult replay(Clock clock, ReplayOptions options, List<ReplayRecord> records) {
        return new Replayer(new EventParser(), clock).run(
                new SqsDeadLetterQueue(sqs, dlqUrl, SkyferryDeadLetterFormat.INSTANCE, Duration.ofMinutes(5)),
                new SqsQueueDestination(sqs, sourceUrl), options, new Progress("dead letters"), records::add);
    }

    private void sendDeadLetter(String body, Map<String, MessageAttributeValue> attributes) {
        sqs.sendMessage(r -> r.queueUrl(dlqUrl).messageBody(body).messageAttributes(attributes));
    }

    /** The attributes the worker adds when it dead-letters ({@link SqsDeadLetterAttributes}). */
    static Map<String, MessageAttributeValue> workerFacts(String reason, Instant at) {
        Map<String, MessageAttributeValue> facts = new HashMap<>();
        facts.put(SqsDeadLetterAttributes.REASON, text(reason));
        facts.put(SqsDeadLetterAttributes.ATTEMPTS, MessageAttributeValue.builder().dataType("Number").stringValue("3").build());
        facts.put(SqsDeadLetterAttributes.LAST_ERROR, text("AccessDenied on GET"));
        facts.put(SqsDeadLetterAttributes.DEAD_LETTERED_AT, text(at.toString()));
        facts.put(SqsDeadLetterAttributes.FIRST_ERROR, text("AccessDenied on GET"));
        facts.put(SqsDeadLetterAttributes.FIRST_ERROR_AT, text(at.minusSeconds(30).toString()));
        facts.put(SqsDeadLetterAttributes.SOURCE, text("s3-events"));
        facts.put(SqsDeadLetterAttributes.ORIGINAL_MESSAGE_ID, text("original-id"));
        return facts;
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    static String s3Event(String key) {
        return SyntheticEvents.s3ObjectCreated("us-east-1", "photos-bucket", key, 3, "abc", null, "0055AED6DCD90281E5",
                Instant.parse("2025-06-01T00:00:00Z"));
    }

    private List<Message> drain(String queueUrl) {
        List<Message> all = new ArrayList<>();
        while (true) {
            List<Message> batch = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(0)
                    .visibilityTimeout(60).messageAttributeNames("All")).messages();
            if (batch.isEmpty()) {
                return all;
            }
            all.addAll(batch);
        }
    }

    private int approximateVisible(String queueUrl) {
        return Integer.parseInt(sqs.getQueueAttributes(r -> r.queueUrl(queueUrl)
                .attributeNamesWithStrings("ApproximateNumberOfMessages")).attributesAsStrings()
                .get("ApproximateNumberOfMessages"));
    }

    private static List<String> keysOf(List<Message> messages) {
        EventParser parser = new EventParser();
        return messages.stream().map(m -> parser.parseSqsMessage(m.body()).items().get(0))
                .map(item -> ((dev.skyferry.event.ParsedMessage.Accepted) item).event().key())
                .toList();
    }

    /** A dead-letter source whose deletes fail: the process "dies" between copy and delete. */
    private record FailingRemove(DeadLetterSource inner) implements DeadLetterSource {
        @Override public String describe() { return inner.describe(); }
        @Override public java.util.OptionalLong approximateCount() { return inner.approximateCount(); }
        @Override public Batch next() { return inner.next(); }
        @Override public void remove(DeadLetter letter) { throw new IllegalStateException("connection reset during delete"); }
        @Override public void keep(DeadLetter letter) { inner.keep(letter); }
        @Override public void batchDone() { inner.batchDone(); }
        @Override public void close() { inner.close(); }
    }
}
