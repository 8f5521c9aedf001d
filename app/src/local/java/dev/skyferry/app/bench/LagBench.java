package dev.skyferry.app.bench;

import dev.skyferry.app.bench.LagLoad.LagEvent;
import dev.skyferry.app.bench.LagWorkerLog.Replicated;
import dev.skyferry.app.local.WorkerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Issue 8's lag benchmark: {@code --rate} events/s for {@code --seconds}, open loop, directions
 * alternating; each event's lag runs from just before its notification is sent to its queue to the
 * worker's "replicated" log line, written once the replica is verified. The production worker runs as
 * its own process against the emulators. Writes lag.json, lag.svg and lag.md to {@code --out}.
 *
 * <pre>java -cp app/target/skyferry.jar:app/target/test-classes:app/target/lib-local/* \
 *     dev.skyferry.app.bench.LagBench [--rate 20] [--seconds 60] [--out docs/bench]</pre>
 */
public final class LagBench {

    static final double TARGET_P99_MILLIS = 1_000;
    private static final int OBJECT_BYTES = 16 << 10;
    /** Every n-th event's target is also polled from the driver, to check the log's timestamps. */
    private static final int POLL_EVERY = 10;
    static final String MEASURED_KEY_PREFIX = "lag";
    private static final String WARMUP_KEY_PREFIX = "warmup";
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

    /** One event and what became of it. */
    record Result(LagEvent event, Replicated logged, Instant polledAt, boolean replicaMatchesAfterwards) {
        double lagMillis() {
            return micros(event.enqueuedAt(), logged.verifiedAt()) / 1_000.0;
        }
    }

    private LagBench() {}

    public static void main(String[] args) throws Exception {
        int rate = 20;
        int seconds = 60;
        int warmupSeconds = 15;
        Path out = Path.of("docs/bench");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: LagBench [--rate 20] [--seconds 60] [--warmup-seconds 15] [--out docs/bench]");
                    System.exit(2);
                }
            }
        }
        Path workDir = WorkerProcess.packagedJar().getParent().resolve("lag-bench");
        Files.createDirectories(workDir);
        Files.createDirectories(out);
        LagMachine machine = LagMachine.describe();

        System.out.printf("lag benchmark: %d events/s for %d s, %d KiB objects; starting emulators and worker (logs in %s)%n",
                rate, seconds, OBJECT_BYTES >> 10, workDir);
        try (LagEnvironment env = LagEnvironment.start(workDir)) {
            LagWorkerLog workerLog = new LagWorkerLog(env.worker().log(), MEASURED_KEY_PREFIX);
            if (warmupSeconds > 0) {
                // A long-running worker has a warm JIT and warm connection pools; a fresh process copies
                // 10-50x slower for its first seconds. Same rate, other keys, untimed.
                System.out.printf("worker ready; warming it up for %d s at the same rate (untimed)%n", warmupSeconds);
                List<LagEvent> warmup = new LagLoad(env, WARMUP_KEY_PREFIX, OBJECT_BYTES).run(rate, warmupSeconds, event -> {});
                awaitLogged(new LagWorkerLog(env.worker().log(), WARMUP_KEY_PREFIX), warmup);
            }
            List<LagEvent> events;
            Map<String, Instant> polled;
            Instant loadStarted = Instant.now();
            String loadAverageBefore = LagMachine.loadAverage();
            LagLoad load = new LagLoad(env, MEASURED_KEY_PREFIX, OBJECT_BYTES);
            try (LagReplicaCheck check = new LagReplicaCheck(env)) {
                System.out.println("load running");
                events = load.run(rate, seconds, event -> {
                    if (event.index() % POLL_EVERY == 0) {
                        check.watch(event);
                    }
                });
                System.out.printf("%d events published; waiting for the worker%n", events.size());
                awaitLogged(workerLog, events);
                check.close();
                polled = check.firstSeen();
            }
            String loadAverageAfter = LagMachine.loadAverage();
            String metrics = env.worker().get("/metrics");

            // Untimed: every replica is there, whole and from the right source.
            Map<String, Replicated> logged = workerLog.replicated();
            List<Result> results = new ArrayList<>();
            try (LagReplicaCheck check = new LagReplicaCheck(env)) {
                for (LagEvent event : events) {
                    results.add(new Result(event, logged.get(event.key()), polled.get(event.key()), check.replicaMatches(event)));
                }
            }
            LagReport report = new LagReport(rate, seconds, warmupSeconds, OBJECT_BYTES, POLL_EVERY, machine, loadStarted,
                    loadAverageBefore, loadAverageAfter, results, load.failures(), rate * seconds - events.size(),
                    env.deadLettered(), workerLog.warnings(), metrics);
            report.write(out);
            report.writeEventsCsv(workDir.resolve("lag-events.csv"));
            System.out.println(report.consoleSummary());
            System.out.println("wrote " + out.resolve("lag.json") + ", " + out.resolve("lag.svg") + ", " + out.resolve("lag.md"));
        }
    }

    /** Until every published event's line is in the worker log, or the settle timeout. */
    private static void awaitLogged(LagWorkerLog workerLog, List<LagEvent> events) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Replicated> logged = workerLog.replicated();
            if (events.stream().allMatch(event -> logged.containsKey(event.key()))) {
                return;
            }
            Thread.sleep(500);
        }
    }

    static long micros(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1_000;
    }
}
