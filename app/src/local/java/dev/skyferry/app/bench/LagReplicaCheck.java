package dev.skyferry.app.bench;

import dev.skyferry.app.bench.LagLoad.LagEvent;
import dev.skyferry.app.local.ReplicaProvenance;
import dev.skyferry.worker.Direction;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Looks at replicas from the driver's side: the target object exists with the source's size and,
 * in its provenance metadata, the source's ETag and MD5. Used two ways — polling a sample of targets
 * during the run (to check the worker's log timestamps against what a reader sees), and once per
 * event afterwards (untimed: nothing lost, nothing wrong).
 */
final class LagReplicaCheck implements AutoCloseable {

    /** How often a sampled target is polled: the resolution of the cross-check, and its load. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(10);
    private static final Duration POLL_GIVE_UP = Duration.ofSeconds(30);

    private final LagEnvironment env;
    private final ExecutorService pollers = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();

    LagReplicaCheck(LagEnvironment env) {
        this.env = env;
    }

    /** Polls the event's target until the replica is there; records when the poll first saw it. */
    void watch(LagEvent event) {
        pollers.submit(() -> {
            long deadline = System.nanoTime() + POLL_GIVE_UP.toNanos();
            while (System.nanoTime() < deadline) {
                if (replicaMatches(event)) {
                    firstSeen.put(event.key(), Instant.now());
                    return;
                }
                try {
                    Thread.sleep(POLL_INTERVAL);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** Keys of watched events → the instant a poll first answered with the right replica. */
    Map<String, Instant> firstSeen() {
        return Map.copyOf(firstSeen);
    }

    /** True when the event's replica exists with the source's size, ETag and MD5 recorded in its provenance. */
    boolean replicaMatches(LagEvent event) {
        return event.direction() == Direction.AZURE_TO_S3
                ? ReplicaProvenance.inS3(env.s3(), LagEnvironment.BUCKET, event.key(), event.bytes(), event.sourceEtag(),
                        event.md5Base64())
                : ReplicaProvenance.inAzure(env.container(), event.key(), event.bytes(), event.sourceEtag(), event.md5Base64());
    }

    /** Waits for the pollers still running (each gives up after {@link #POLL_GIVE_UP}). */
    @Override
    public void close() {
        pollers.close();
    }
}
