package dev.skyferry.ops.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.models.PeekedMessageItem;
import dev.skyferry.ack.Outcome;
import dev.skyferry.event.EventParser;
import dev.skyferry.event.ParsedMessage;
import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.ops.OpsFixtures;
import dev.skyferry.ops.StoreWrites;
import dev.skyferry.ops.diff.Differ;
import dev.skyferry.ops.diff.SyncPair;
import dev.skyferry.ops.progress.Progress;
import dev.skyferry.pipeline.EventProcessor;
import dev.skyferry.plan.Provenance;
import dev.skyferry.queue.AzureQueueSettings;
import dev.skyferry.queue.AzureQueueSource;
import dev.skyferry.queue.SqsSource;
import dev.skyferry.queue.SqsSourceSettings;
import dev.skyferry.resilience.CircuitBreakerSettings;
import dev.skyferry.resilience.EndpointBreakers;
import dev.skyferry.resilience.ResilientCalls;
import dev.skyferry.resilience.RetryObserver;
import dev.skyferry.resilience.RetrySettings;
import dev.skyferry.rule.ReplicationRule;
import dev.skyferry.rule.ReplicationRule.DeletePolicy;
import dev.skyferry.rule.ReplicationRule.Direction;
import dev.skyferry.rule.ReplicationRule.KeyFilter;
import dev.skyferry.rule.RuleSet;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.StoreKind;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import dev.skyferry.worker.Worker;
import dev.skyferry.worker.WorkerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

@ExtendWith(EmulatorExtension.class)
class BackfillTest {

    private static final EventParser PARSER = new EventParser();

    private final Emulators emulators;
    private final OpsFixtures fixtures;
    private ObjectStore azure;
    private ObjectStore bucket;
    private ReplicationRule rule;
    private RuleSet rules;
    private SyncPair azureToS3;
    private SyncPair s3ToAzure;

    BackfillTest(Emulators emulators) {
        this.emulators = emulators;
        this.fixtures = new OpsFixtures(emulators);
    }

    @BeforeEach
    void stores() {
        azure = fixtures.newContainer("bf");
        bucket = fixtures.newBucket("bf");
        rule = fixtures.rule("photos", azure, "a/", bucket, "s/", Direction.BOTH, DeletePolicy.IGNORE,
                new KeyFilter(null, null, null, List.of(".part")));
        rules = OpsFixtures.rules(rule);
        azureToS3 = new SyncPair(rules, rule, StoreKind.AZURE_BLOB, azure, bucket);
        s3ToAzure = new SyncPair(rules, rule, StoreKind.S3, bucket, azure);
    }

    @Test
    void copiesWhatIsMissingOrStaleAndLeavesInSyncObjectsReplicasAndExcludedKeysAlone() {
        String inSync = StoreWrites.original(azure, "a/in-sync.txt", "same");
        StoreWrites.replica(bucket, "s/in-sync.txt", "same", azure, "a/in-sync.txt", inSync);
        StoreWrites.original(azure, "a/missing.txt", "copy me");
        String old = StoreWrites.original(azure, "a/stale.txt", "old version");
        StoreWrites.replica(bucket, "s/stale.txt", "old version", azure, "a/stale.txt", old);
        String current = StoreWrites.original(azure, "a/stale.txt", "new version, longer");
        StoreWrites.original(azure, "a/upload.part", "excluded by the rule");
        // deletes: ignore kept this replica after its S3 source went: it must not be copied back.
        StoreWrites.replica(azure, "a/kept-backup.txt", "kept", bucket, "s/kept-backup.txt", "d41d8cd98f00b204e9800998ecf8427e");
        Map<String, String> labels = new ConcurrentHashMap<>();

        Backfill.Result result = backfill(azureToS3, direct(), null, labels);

        assertThat(labels).containsEntry("a/in-sync.txt", "in-sync")
                .containsEntry("a/missing.txt", "replicated")
                .containsEntry("a/stale.txt", "replicated")
                .containsEntry("a/upload.part", "excluded")
                .containsEntry("a/kept-backup.txt", "source-is-replica");
        assertThat(result.complete()).isTrue();
        assertThat(result.failed()).isZero();
        ObjectStore.OpenObject replica = bucket.open("s/stale.txt", null, dev.skyferry.store.Precondition.NONE);
        try (replica) {
            assertThat(Provenance.get(replica.info().attributes().userMetadata(), Provenance.SOURCE_ETAG)).isEqualTo(current);
        }
        assertThat(bucket.stat("s/kept-backup.txt")).isEmpty();
        assertThat(new Differ(1000, 4).run(azureToS3, new Progress("objects"), d -> { }).drift()).isZero();
    }

    @Test
    void copiesTheFilesOfAHierarchicalNamespaceButNotItsDirectories() {
        // A flat listing of an HNS account shows the directory a/reports as a 0-byte blob marked hdi_isfolder.
        StoreWrites.put(azure, "a/reports", "", Map.of(ObjectInfo.HNS_DIRECTORY_METADATA, "true"));
        StoreWrites.original(azure, "a/reports/2024.csv", "q1,q2");
        Map<String, String> labels = new ConcurrentHashMap<>();

        backfill(azureToS3, direct(), null, labels);

        assertThat(labels).containsExactly(Map.entry("a/reports/2024.csv", "replicated"));
        assertThat(bucket.stat("s/reports")).as("the directory as an empty object").isEmpty();
    }

    @Test
    void objectsThatFailedAreRetriedFirstByTheNextRun(@TempDir Path dir) {
        StoreWrites.original(azure, "a/1.txt", "one");
        StoreWrites.original(azure, "a/2.txt", "two");
        EventProcessor pipeline = OpsFixtures.pipeline(rules, azure, bucket);
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        EventProcessor flaky = event -> event.key().equals("a/2.txt") && failedOnce.add(event.key())
                ? new Outcome.Retry("throttled", "503 SlowDown", null)
                : pipeline.process(event);
        Path checkpoint = dir.resolve("cp.json");
        Map<String, String> first = new ConcurrentHashMap<>();

        Backfill.Result run1 = backfill(azureToS3, new DirectReplication(flaky), checkpoint, first);

        assertThat(first).containsEntry("a/1.txt", "replicated").containsEntry("a/2.txt", "failed:throttled");
        assertThat(run1.complete()).isFalse();
        assertThat(run1.failed()).isEqualTo(1);
        Checkpoint.PairState state = Checkpoint.open(checkpoint).state(azureToS3.name(),
                Differ.location(azure, "a/"), Differ.location(bucket, "s/"));
        assertThat(state.retryKeys()).containsExactly("a/2.txt");
        assertThat(state.position().sourceDone()).isTrue();

        Map<String, String> second = new ConcurrentHashMap<>();
        Backfill.Result run2 = backfill(azureToS3, new DirectReplication(flaky), checkpoint, second);

        assertThat(second).containsExactly(Map.entry("a/2.txt", "replicated")); // the listing is not walked again
        assertThat(run2.complete()).isTrue();
        assertThat(bucket.stat("s/2.txt")).isPresent();
    }

    @Test
    void dryRunListsWhatWouldBeCopiedAndChangesNothing(@TempDir Path dir) {
        StoreWrites.original(azure, "a/x.txt", "x");
        StoreWrites.original(bucket, "s/y.txt", "y");
        Path checkpoint = dir.resolve("cp.json");
        Map<String, String> labels = new ConcurrentHashMap<>();
        BackfillOptions dryRun = new BackfillOptions(100, 4, true, null);

        for (SyncPair pair : List.of(azureToS3, s3ToAzure)) {
            Backfill.Result result = new Backfill(dryRun, Clock.systemUTC()).run(pair, direct(), Checkpoint.open(checkpoint),
                    new Progress("objects"), r -> labels.put(r.key(), r.label()));
            assertThat(result.complete()).isFalse(); // a dry run completes nothing
        }

        assertThat(labels).containsExactlyInAnyOrderEntriesOf(Map.of("a/x.txt", "would-copy", "s/y.txt", "would-copy"));
        assertThat(bucket.stat("s/x.txt")).isEmpty();
        assertThat(azure.stat("a/y.txt")).isEmpty();
        assertThat(Files.exists(checkpoint)).isFalse();
    }

    @Test
    void enqueuedEventsAreWhatEventGridAndS3WouldDeliver() {
        String azureEtag = StoreWrites.original(azure, "a/dir/blob name.txt", "from azure");
        String s3Etag = StoreWrites.original(bucket, "s/key+with space.txt", "from s3!");
        QueueClient azureQueue = newAzureQueue();
        String sqsQueue = emulators.sqsClient().createQueue(r -> r.queueName(Emulators.freshName("bf"))).queueUrl();
        EnqueueReplication enqueue = new EnqueueReplication(azureQueue, emulators.sqsClient(), sqsQueue,
                emulators.awsRegion(), Clock.systemUTC());

        backfill(azureToS3, enqueue, null, new ConcurrentHashMap<>());
        backfill(s3ToAzure, enqueue, null, new ConcurrentHashMap<>());

        PeekedMessageItem enqueued = azureQueue.peekMessage();
        assertThat(enqueued.getExpirationTime()).as("never expires").isAfter(enqueued.getInsertionTime().plusYears(1));
        List<String> azureTexts = new ArrayList<>();
        azureQueue.receiveMessages(32).forEach(m -> azureTexts.add(m.getBody().toString()));
        assertThat(azureTexts).singleElement().satisfies(text -> {
            assertThat(text).doesNotStartWith("{"); // base64, as Event Grid writes to a storage queue
            ReplicationEvent event = accepted(PARSER.parseAzureQueueMessage(text));
            assertThat(event.source()).isEqualTo(StoreKind.AZURE_BLOB);
            assertThat(event.account()).isEqualTo(azure.account());
            assertThat(event.container()).isEqualTo(azure.container());
            assertThat(event.key()).isEqualTo("a/dir/blob name.txt");
            assertThat(event.etag()).isEqualTo(azureEtag);
            assertThat(event.size()).isEqualTo(10);
            assertThat(event.sequencer()).isNull();
            assertThat(event.kind()).isEqualTo(ReplicationEvent.EventKind.CREATED);
            assertThat(rules.route(event)).isInstanceOf(dev.skyferry.rule.RouteDecision.Routed.class);
        });
        List<Message> sqsMessages = emulators.sqsClient().receiveMessage(r -> r.queueUrl(sqsQueue).maxNumberOfMessages(10)).messages();
        assertThat(sqsMessages).singleElement().satisfies(message -> {
            ReplicationEvent event = accepted(PARSER.parseSqsMessage(message.body()));
            assertThat(event.source()).isEqualTo(StoreKind.S3);
            assertThat(event.container()).isEqualTo(bucket.container());
            assertThat(event.key()).isEqualTo("s/key+with space.txt"); // S3's form encoding undone
            assertThat(event.etag()).isEqualTo(s3Etag);
            assertThat(event.size()).isEqualTo(8);
            assertThat(event.sequencer()).isNull();
            assertThat(rules.route(event)).isInstanceOf(dev.skyferry.rule.RouteDecision.Routed.class);
        });
    }

    @Test
    void enqueuedEventsAreReplicatedByARunningWorker() {
        for (int i = 0; i < 20; i++) {
            StoreWrites.original(azure, "a/az-" + i, "azure " + i);
            StoreWrites.original(bucket, "s/s3-" + i, "s3 " + i);
        }
        QueueClient azureQueue = newAzureQueue();
        QueueClient poison = emulators.queueService(QueueMessageEncoding.NONE).createQueue(azureQueue.getQueueName() + "-poison");
        SqsClient sqs = emulators.sqsClient();
        String sqsQueue = sqs.createQueue(r -> r.queueName(Emulators.freshName("bf"))).queueUrl();
        String dlq = sqs.createQueue(r -> r.queueName(Emulators.freshName("bf-dlq"))).queueUrl();
        Worker worker = Worker.builder()
                .settings(new WorkerSettings(8, Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .calls(new ResilientCalls(RetrySettings.DEFAULTS, new EndpointBreakers(CircuitBreakerSettings.DEFAULTS),
                        RetryObserver.NONE))
                .processor(OpsFixtures.pipeline(rules, azure, bucket))
                .source(new AzureQueueSource(new AzureQueueSettings("azure-events", Duration.ofSeconds(30), 5,
                        Duration.ofMillis(50), Duration.ofMillis(200)), azureQueue, poison, Clock.systemUTC()),
                        PARSER::parseAzureQueueMessage)
                .source(new SqsSource(new SqsSourceSettings("s3-events", sqsQueue, dlq, Duration.ofSeconds(30),
                        Duration.ofSeconds(1)), sqs, emulators.sqsDeletes(), Clock.systemUTC()), PARSER::parseSqsMessage)
                .build();
        worker.start();
        try {
            EnqueueReplication enqueue = new EnqueueReplication(azureQueue, sqs, sqsQueue, emulators.awsRegion(),
                    Clock.systemUTC());
            Map<String, String> fromAzure = new ConcurrentHashMap<>();
            backfill(azureToS3, enqueue, null, fromAzure);
            assertThat(fromAzure).hasSize(20).allSatisfy((key, label) -> assertThat(label).isEqualTo("enqueued"));
            Map<String, String> fromS3 = new ConcurrentHashMap<>();
            backfill(s3ToAzure, enqueue, null, fromS3);
            // The worker is already at it: replicas of Azure objects it wrote meanwhile are found in sync.
            assertThat(fromS3).allSatisfy((key, label) -> assertThat(label)
                    .isEqualTo(key.startsWith("s/s3-") ? "enqueued" : "in-sync"));
            assertThat(fromS3.keySet()).filteredOn(k -> k.startsWith("s/s3-")).hasSize(20);

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(new Differ(1000, 4).run(azureToS3, new Progress("objects"), d -> { }).drift()).isZero();
                assertThat(new Differ(1000, 4).run(s3ToAzure, new Progress("objects"), d -> { }).drift()).isZero();
            });
            assertThat(poison.peekMessages(32, null, null).stream().count()).isZero();
        } finally {
            worker.stop(Duration.ofSeconds(5));
        }
        assertThat(Provenance.isReplica(bucket.stat("s/az-7").orElseThrow().attributes().userMetadata())).isTrue();
        assertThat(Provenance.isReplica(azure.stat("a/s3-7").orElseThrow().attributes().userMetadata())).isTrue();
    }

    // ---- helpers ----

    private BackfillAction direct() {
        return new DirectReplication(OpsFixtures.pipeline(rules, azure, bucket));
    }

    private Backfill.Result backfill(SyncPair pair, BackfillAction action, Path checkpoint, Map<String, String> labels) {
        List<BackfillRecord> records = new CopyOnWriteArrayList<>();
        Backfill.Result result = new Backfill(new BackfillOptions(100, 4, false, null), Clock.systemUTC())
                .run(pair, action, Checkpoint.open(checkpoint), new Progress("objects"), records::add);
        records.forEach(r -> labels.put(r.key(), r.label()));
        return result;
    }

    private QueueClient newAzureQueue() {
        return emulators.queueService(QueueMessageEncoding.NONE).createQueue(Emulators.freshName("bf"));
    }

    private static ReplicationEvent accepted(ParsedMessage parsed) {
        assertThat(parsed.items()).singleElement().isInstanceOf(ParsedMessage.Accepted.class);
        return ((ParsedMessage.Accepted) parsed.items().get(0)).event();
    }
}
