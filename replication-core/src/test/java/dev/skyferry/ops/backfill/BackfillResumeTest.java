package dev.skyferry.ops.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyferry.ops.OpsFixtures;
import dev.skyferry.ops.StoreWrites;
import dev.skyferry.ops.diff.Differ;
import dev.skyferry.ops.diff.SyncPair;
import dev.skyferry.ops.progress.Progress;
import dev.skyferry.pipeline.EventProcessor;
import dev.skyferry.rule.ReplicationRule;
import dev.skyferry.rule.ReplicationRule.DeletePolicy;
import dev.skyferry.rule.ReplicationRule.Direction;
import dev.skyferry.rule.ReplicationRule.KeyFilter;
import dev.skyferry.rule.RuleSet;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.StoreKind;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backfill at scale: 10 000 small objects, half on each side, listed 500 at a time, killed midway in
 * each direction (once between pages, once inside a page) and resumed from the checkpoint file.
 */
@ExtendWith(EmulatorExtension.class)
class BackfillResumeTest {

    private static final int PER_SIDE = 5_000;
    private static final int PAGE = 500;
    private static final int CONCURRENCY = 16;

    private final OpsFixtures fixtures;

    BackfillResumeTest(Emulators emulators) {
        this.fixtures = new OpsFixtures(emulators);
    }

    @Test
    void tenThousandObjectsBothDirectionsKilledMidwayResumeWithoutRedoingFinishedPages(@TempDir Path dir) throws Exception {
        ObjectStore azure = fixtures.newContainer("backfill");
        ObjectStore bucket = fixtures.newBucket("backfill");
        seed(azure, "a/az-", bucket, "s/s3-");
        ReplicationRule rule = fixtures.rule("bulk", azure, "a/", bucket, "s/", Direction.BOTH, DeletePolicy.IGNORE, KeyFilter.ALL);
        RuleSet rules = OpsFixtures.rules(rule);
        EventProcessor pipeline = OpsFixtures.pipeline(rules, azure, bucket);
        SyncPair azureToS3 = new SyncPair(rules, rule, StoreKind.AZURE_BLOB, azure, bucket);
        SyncPair s3ToAzure = new SyncPair(rules, rule, StoreKind.S3, bucket, azure);
        Path checkpointFile = dir.resolve("backfill.json");
        lap("seeded " + 2 * PER_SIDE + " objects");

        // azure-to-s3, run 1: killed right after the 4th page's checkpoint.
        List<BackfillRecord> run1 = new CopyOnWriteArrayList<>();
        Backfill.Result first = runInThread(azureToS3, pipeline, checkpointFile,
                (pair, pages) -> { if (pages == 4) Thread.currentThread().interrupt(); }, run1::add, null);
        assertThat(first.stopped()).isEqualTo("interrupted");
        assertThat(first.counts()).containsEntry("replicated", 4L * PAGE);
        assertThat(stored(checkpointFile, azureToS3).pagesDone()).isEqualTo(4);
        lap("azure-to-s3 run 1");

        // azure-to-s3, run 2: continues at page 5 and finishes; nothing of pages 1-4 is looked at again.
        List<BackfillRecord> run2 = new CopyOnWriteArrayList<>();
        Backfill.Result second = runInThread(azureToS3, pipeline, checkpointFile, null, run2::add, null);
        assertThat(second.complete()).isTrue();
        assertThat(second.counts()).containsOnlyKeys("replicated").containsEntry("replicated", (long) PER_SIDE - 4 * PAGE);
        assertThat(keys(run2)).doesNotContainAnyElementsOf(keys(run1));
        assertThat(union(run1, run2)).hasSize(PER_SIDE);
        lap("azure-to-s3 run 2");

        // s3-to-azure lists 10 000: the 5 000 fresh replicas of Azure objects and 5 000 originals.
        // Run 1: interrupted from outside in the middle of a page, with copies in flight.
        AtomicInteger copied = new AtomicInteger();
        AtomicReference<Thread> runner = new AtomicReference<>();
        List<BackfillRecord> run3 = new CopyOnWriteArrayList<>();
        Backfill.Result third = runInThread(s3ToAzure, pipeline, checkpointFile, null, record -> {
            run3.add(record);
            if (record.label().equals("replicated") && copied.incrementAndGet() == 1_250) {
                runner.get().interrupt();
            }
        }, runner);
        assertThat(third.stopped()).isEqualTo("interrupted");
        lap("s3-to-azure run 1");
        Checkpoint.PairState afterKill = stored(checkpointFile, s3ToAzure);
        assertThat(afterKill.objectsDone()).isLessThan(PER_SIDE + 1_250L).isEqualTo(afterKill.pagesDone() * PAGE);

        // Run 2 starts at the first page that was not finished: at most that one page is seen twice.
        List<BackfillRecord> run4 = new CopyOnWriteArrayList<>();
        Backfill.Result fourth = runInThread(s3ToAzure, pipeline, checkpointFile, null, run4::add, null);
        assertThat(fourth.complete()).isTrue();
        lap("s3-to-azure run 2");
        Set<String> seenTwice = keys(run3).stream().filter(keys(run4)::contains).collect(Collectors.toSet());
        assertThat(seenTwice.size()).isLessThanOrEqualTo(PAGE);
        assertThat(run4).hasSize((int) (2L * PER_SIDE - afterKill.objectsDone()));
        assertThat(union(run3, run4)).hasSize(2 * PER_SIDE);
        // Every S3 original was copied in one run or the other, or found already replicated on the page
        // seen twice; the replicas of Azure objects were never copied back.
        assertThat(fourth.failed()).isZero();
        Set<String> handled = new java.util.HashSet<>();
        run3.stream().filter(r -> r.label().equals("replicated")).forEach(r -> handled.add(r.key()));
        run4.stream().filter(r -> r.key().startsWith("s/s3-")).forEach(r -> {
            assertThat(r.label()).isIn("replicated", "in-sync", "skipped:already-replicated");
            handled.add(r.key());
        });
        assertThat(handled.stream().filter(k -> k.startsWith("s/s3-")).count()).isEqualTo(PER_SIDE);
        assertThat(run3).noneMatch(r -> r.key().startsWith("s/az-") && !r.label().equals("in-sync"));
        assertThat(run4).noneMatch(r -> r.key().startsWith("s/az-") && !r.label().equals("in-sync"));

        // A third run of either direction is a no-op, and there is no drift left.
        assertThat(runInThread(azureToS3, pipeline, checkpointFile, null, r -> { }, null).alreadyComplete()).isTrue();
        assertThat(new Differ(1000, CONCURRENCY).run(azureToS3, new Progress("objects"), d -> { }).drift()).isZero();
        assertThat(new Differ(1000, CONCURRENCY).run(s3ToAzure, new Progress("objects"), d -> { }).drift()).isZero();
        lap("diff both directions");
    }

    private long lapStart = System.nanoTime();

    /** Phase timings in the test's output, for whoever tunes this test; nothing is asserted on them. */
    private void lap(String phase) {
        long now = System.nanoTime();
        System.out.printf("%-28s %6.1f s%n", phase, (now - lapStart) / 1e9);
        lapStart = now;
    }

    /** Runs one backfill on its own thread, as the CLI's main thread would, and returns its result. */
    private static Backfill.Result runInThread(SyncPair pair, EventProcessor pipeline, Path checkpointFile,
                                               BackfillOptions.PageListener afterPage,
                                               java.util.function.Consumer<BackfillRecord> listener,
                                               AtomicReference<Thread> runner) throws Exception {
        AtomicReference<Backfill.Result> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                result.set(new Backfill(new BackfillOptions(PAGE, CONCURRENCY, false, afterPage), Clock.systemUTC())
                        .run(pair, new DirectReplication(pipeline), Checkpoint.open(checkpointFile), new Progress("objects"),
                                listener));
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "backfill-under-test");
        if (runner != null) {
            runner.set(thread);
        }
        thread.start();
        thread.join();
        if (failure.get() != null) {
            throw new AssertionError("backfill failed", failure.get());
        }
        return result.get();
    }

    private void seed(ObjectStore azure, String azurePrefix, ObjectStore bucket, String s3Prefix) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY)) {
            List<Future<?>> writes = new ArrayList<>();
            IntStream.range(0, PER_SIDE).forEach(i -> {
                writes.add(pool.submit(() -> StoreWrites.original(azure, azurePrefix + String.format("%05d", i), "azure " + i)));
                writes.add(pool.submit(() -> StoreWrites.original(bucket, s3Prefix + String.format("%05d", i), "s3 " + i)));
            });
            for (Future<?> write : writes) {
                write.get();
            }
        }
    }

    private static Checkpoint.PairState stored(Path file, SyncPair pair) {
        return Checkpoint.open(file).state(pair.name(), Differ.location(pair.source(), pair.sourcePrefix()),
                Differ.location(pair.target(), pair.targetPrefix()));
    }

    private static Set<String> keys(List<BackfillRecord> records) {
        return records.stream().map(BackfillRecord::key).collect(Collectors.toSet());
    }

    private static Set<String> union(List<BackfillRecord> a, List<BackfillRecord> b) {
        Set<String> all = ConcurrentHashMap.newKeySet();
        all.addAll(keys(a));
        all.addAll(keys(b));
        return all;
    }

    private static long count(List<BackfillRecord> records, String label) {
        return records.stream().filter(r -> r.label().equals(label)).count();
    }
}
