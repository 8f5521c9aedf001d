package dev.skyferry.app.bench;

import static dev.skyferry.app.bench.LagBench.TARGET_P99_MILLIS;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.skyferry.app.bench.LagBench.Result;
import dev.skyferry.app.local.PrometheusText;
import dev.skyferry.queue.AzureQueueSettings;
import dev.skyferry.queue.SqsSourceSettings;
import dev.skyferry.worker.Direction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/** lag.json, lag.svg and lag.md from one run's results; every figure in them is computed here from the run. */
final class LagReport {

    private static final double HISTOGRAM_BIN_MILLIS = 25;
    private static final String COMMAND = "java -cp 'app/target/skyferry.jar:app/target/test-classes:app/target/lib-local/*' "
            + "dev.skyferry.app.bench.LagBench --rate %d --seconds %d --warmup-seconds %d --out docs/bench";

    private final int rate;
    private final int seconds;
    private final int warmupSeconds;
    private final int objectBytes;
    private final int pollEvery;
    private final LagMachine machine;
    private final Instant loadStarted;
    private final String loadAverageBefore;
    private final String loadAverageAfter;
    private final List<Result> results;
    private final List<String> publishFailures;
    private final int notPublished;
    private final long deadLettered;
    private final List<String> workerWarnings;
    private final Map<String, Map<String, Double>> workerLagHistogram;

    LagReport(int rate, int seconds, int warmupSeconds, int objectBytes, int pollEvery, LagMachine machine, Instant loadStarted,
              String loadAverageBefore, String loadAverageAfter, List<Result> results, List<String> publishFailures,
              int notPublished, long deadLettered, List<String> workerWarnings, String workerMetrics) {
        this.rate = rate;
        this.seconds = seconds;
        this.warmupSeconds = warmupSeconds;
        this.objectBytes = objectBytes;
        this.pollEvery = pollEvery;
        this.machine = machine;
        this.loadStarted = loadStarted;
        this.loadAverageBefore = loadAverageBefore;
        this.loadAverageAfter = loadAverageAfter;
        this.results = results;
        this.publishFailures = publishFailures;
        this.notPublished = notPublished;
        this.deadLettered = deadLettered;
        this.workerWarnings = workerWarnings;
        this.workerLagHistogram = lagBuckets(workerMetrics);
    }

    // ---------------------------------------------------------------- figures

    private List<Result> logged(Predicate<Result> which) {
        return results.stream().filter(r -> r.logged() != null).filter(which).toList();
    }

    private static Predicate<Result> direction(Direction direction) {
        return r -> r.event().direction() == direction;
    }

    private LagStats stats(Predicate<Result> which, Function<Result, Double> millis) {
        return LagStats.of(logged(which).stream().map(millis).toList());
    }

    private LagStats lag(Predicate<Result> which) {
        return stats(which, Result::lagMillis);
    }

    private static double queueWait(Result r) {
        return LagBench.micros(r.event().enqueuedAt(), r.logged().receivedAt()) / 1_000.0;
    }

    private static double receiptToVerified(Result r) {
        return LagBench.micros(r.logged().receivedAt(), r.logged().verifiedAt()) / 1_000.0;
    }

    private static double copyMillis(Result r) {
        return r.logged().copyMillis();
    }

    /** Published but never reported replicated by the worker. */
    private long lost(Predicate<Result> which) {
        return results.stream().filter(which).filter(r -> r.logged() == null).count();
    }

    /** Reported replicated, yet the replica is missing or differs from its source afterwards. */
    private long wrongReplicas(Predicate<Result> which) {
        return results.stream().filter(which).filter(r -> r.logged() != null && !r.replicaMatchesAfterwards()).count();
    }

    private List<Result> polled() {
        return results.stream().filter(r -> r.logged() != null && r.polledAt() != null).toList();
    }

    private LagStats pollMinusLog() {
        return LagStats.of(polled().stream()
                .map(r -> LagBench.micros(r.logged().verifiedAt(), r.polledAt()) / 1_000.0).toList());
    }

    private LagStats scheduleSlip() {
        return LagStats.of(results.stream().map(r -> LagBench.micros(r.event().dueAt(), r.event().enqueuedAt()) / 1_000.0).toList());
    }

    private LagStats sendCall() {
        return LagStats.of(results.stream().map(r -> LagBench.micros(r.event().enqueuedAt(), r.event().sentAt()) / 1_000.0).toList());
    }

    private long failed() {
        return deadLettered + wrongReplicas(r -> true) + publishFailures.size() + notPublished;
    }

    // ---------------------------------------------------------------- outputs

    void write(Path out) throws IOException {
        Files.writeString(out.resolve("lag.json"), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(json()) + "\n");
        Files.writeString(out.resolve("lag.svg"), chart());
        Files.writeString(out.resolve("lag.md"), markdown());
    }

    private Map<String, Object> perDirection(Function<Predicate<Result>, Object> figure) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("overall", figure.apply(r -> true));
        for (Direction d : Direction.values()) {
            map.put(d.label(), figure.apply(direction(d)));
        }
        return map;
    }

    private Map<String, Object> json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("benchmark", "lag");
        root.put("command", String.format(Locale.ROOT, COMMAND, rate, seconds, warmupSeconds));
        root.put("loadStarted", loadStarted.toString());
        root.put("machine", machine.toMap());
        root.put("loadAverage", Map.of("before", loadAverageBefore, "after", loadAverageAfter));
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("ratePerSecond", rate);
        load.put("seconds", seconds);
        load.put("events", rate * seconds);
        load.put("warmupSeconds", warmupSeconds);
        load.put("objectBytes", objectBytes);
        load.put("model", "open loop: event i due at start + i/rate, each on its own thread; directions alternate");
        load.put("scheduleSlipMs", scheduleSlip().summary());
        load.put("sendCallMs", sendCall().summary());
        root.put("load", load);
        root.put("instants", Map.of(
                "start", "driver wall clock just before the queue send call (source object already written)",
                "end", "@timestamp of the worker's 'replicated' log line, logged right after the replica was verified"));
        root.put("targetP99Ms", TARGET_P99_MILLIS);
        root.put("targetMet", lag(r -> true).count() > 0 && lag(r -> true).percentile(99) <= TARGET_P99_MILLIS && failed() == 0
                && lost(r -> true) == 0);
        root.put("lagMs", perDirection(which -> lag(which).summary()));
        root.put("queueWaitMs", perDirection(which -> stats(which, LagReport::queueWait).summary()));
        root.put("receiptToVerifiedMs", perDirection(which -> stats(which, LagReport::receiptToVerified).summary()));
        root.put("copyAndVerifyMs", perDirection(which -> stats(which, LagReport::copyMillis).summary()));
        Map<String, Object> histogram = new LinkedHashMap<>();
        histogram.put("binMs", HISTOGRAM_BIN_MILLIS);
        for (Direction d : Direction.values()) {
            histogram.put(d.label(), lag(direction(d)).histogram(HISTOGRAM_BIN_MILLIS));
        }
        root.put("lagHistogram", histogram);
        root.put("lost", perDirection(this::lost));
        Map<String, Object> failed = new LinkedHashMap<>();
        failed.put("deadLettered", deadLettered);
        failed.put("replicaMissingOrDifferentAfterwards", wrongReplicas(r -> true));
        failed.put("notPublished", notPublished + publishFailures.size());
        failed.put("publishFailures", publishFailures);
        root.put("failed", failed);
        Map<String, Object> crossCheck = new LinkedHashMap<>();
        crossCheck.put("replicasVerifiedAfterwards", results.stream().filter(Result::replicaMatchesAfterwards).count());
        crossCheck.put("sampledEvery", pollEvery);
        crossCheck.put("pollIntervalMs", LagReplicaCheck.POLL_INTERVAL.toMillis());
        crossCheck.put("sampledAndSeen", polled().size());
        crossCheck.put("pollSawReplicaMinusLogLineMs", pollMinusLog().summary());
        crossCheck.put("workerLagHistogramCumulative", workerLagHistogram);
        root.put("crossCheck", crossCheck);
        root.put("workerWarnings", workerWarnings);
        return root;
    }

    private String chart() {
        List<LagChart.Series> series = new ArrayList<>();
        String[] colors = {"#1f77b4", "#d95f02"};
        for (Direction d : Direction.values()) {
            List<double[]> points = logged(direction(d)).stream().map(r -> new double[] {
                    LagBench.micros(loadStarted, r.event().enqueuedAt()) / 1e6, r.lagMillis()}).toList();
            series.add(new LagChart.Series(d.label(), colors[d.ordinal()], lag(direction(d)), points));
        }
        return new LagChart().render(String.format(Locale.ROOT, "Skyferry replication lag: %d events/s for %d s, %d KiB objects",
                rate, seconds, objectBytes >> 10), series, TARGET_P99_MILLIS, seconds);
    }

    private String row(String label, Predicate<Result> which) {
        LagStats lag = lag(which);
        return String.format(Locale.ROOT, "| %s | %d | %d | %s | %.0f | %.0f | %.0f | %.0f |%n", label, lag.count(),
                lost(which), label.equals("overall") ? Long.toString(failed()) : Long.toString(wrongReplicas(which)),
                lag.percentile(50), lag.percentile(95), lag.percentile(99), lag.max());
    }

    private String breakdownRow(String label, Predicate<Result> which) {
        LagStats wait = stats(which, LagReport::queueWait);
        LagStats handling = stats(which, LagReport::receiptToVerified);
        LagStats copy = stats(which, LagReport::copyMillis);
        return String.format(Locale.ROOT, "| %s | %.0f / %.0f / %.0f | %.0f / %.0f / %.0f | %.0f / %.0f / %.0f |%n", label,
                wait.percentile(50), wait.percentile(99), wait.max(),
                handling.percentile(50), handling.percentile(99), handling.max(),
                copy.percentile(50), copy.percentile(99), copy.max());
    }

    private String markdown() {
        LagStats overall = lag(r -> true);
        LagStats pollMinusLog = pollMinusLog();
        StringBuilder md = new StringBuilder();
        md.append("## Replication lag (issue 8)\n\n");
        md.append(String.format(Locale.ROOT, "%d events/s for %d s (%d events), open loop, directions alternating, "
                + "%d KiB objects; the production worker (`skyferry.jar run`, JSON logs at INFO) as its own process "
                + "against the emulators, warmed up first for %d s at the same rate (untimed, other keys). "
                + "Target: p99 ≤ %.0f ms.%n%n", rate, seconds, rate * seconds, objectBytes >> 10, warmupSeconds,
                TARGET_P99_MILLIS));
        md.append("```\nmvn -B -q package -DskipTests\n").append(String.format(Locale.ROOT, COMMAND, rate, seconds, warmupSeconds)).append("\n```\n\n");
        md.append("| direction | replicated | lost | failed | p50 ms | p95 ms | p99 ms | max ms |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        md.append(row("overall", r -> true));
        for (Direction d : Direction.values()) {
            md.append(row(d.label(), direction(d)));
        }
        md.append(String.format(Locale.ROOT, "%nTarget p99 ≤ %.0f ms: **%s** (overall p99 %.0f ms). "
                        + "Machine: %d cores, %s, %s; load average before/after %s / %s. Results: `lag.json`, chart: `lag.svg`.%n%n",
                TARGET_P99_MILLIS, overall.count() > 0 && overall.percentile(99) <= TARGET_P99_MILLIS && failed() == 0
                        && lost(r -> true) == 0 ? "met" : "not met",
                overall.percentile(99), machine.cores(), machine.cpuModel(), machine.jdk(), loadAverageBefore, loadAverageAfter));
        double busiest = Math.max(firstLoadAverage(loadAverageBefore), firstLoadAverage(loadAverageAfter));
        if (busiest > machine.cores()) {
            md.append(String.format(Locale.ROOT, "**This run's machine was oversubscribed** (1-minute load average up to %.1f "
                    + "on %d cores): per-message times grow with CPU starvation, and once a source's messages take longer "
                    + "than its share of `copy.maxCopiesInFlight` covers at this rate, events queue up — the queue wait "
                    + "column below shows how much of the lag that was.%n%n", busiest, machine.cores()));
        }
        md.append("![lag distribution and lag over the run](lag.svg)\n\n");

        md.append("**What is timed.** Start: the driver's wall clock just before it sends the event to the queue "
                + "(the source object is already written, untimed; the send call itself is inside the lag, ");
        LagStats send = sendCall();
        md.append(String.format(Locale.ROOT, "p50 %.1f ms, p99 %.1f ms). End: the `@timestamp` of the worker's "
                + "`replicated <object>` log line, written right after the replica passed verification and before the "
                + "queue message is deleted. Both are the same host's wall clock; the log timestamp has 1 ms resolution. "
                + "Open loop: event *i* is due at start + *i*/rate whatever became of earlier events; it was sent "
                + "p50 %.1f ms, max %.1f ms after it was due (its source write comes first).%n%n",
                send.percentile(50), send.percentile(99), scheduleSlip().percentile(50), scheduleSlip().max()));

        md.append("**Where the time goes** (p50 / p99 / max, ms): queue wait is enqueue → the worker's receive call returned; "
                + "receipt → verified includes dispatch, parse, plan, copy and verify; copy + verify is the replicator's own timing.\n\n");
        md.append("| direction | queue wait | receipt → verified | copy + verify |\n| --- | ---: | ---: | ---: |\n");
        for (Direction d : Direction.values()) {
            md.append(breakdownRow(d.label(), direction(d)));
        }
        md.append(String.format(Locale.ROOT, "%n**Queue polling.** Azure Storage Queue has no long polling: after an empty "
                        + "receive the worker waits %d ms, doubling with each further empty receive up to %d s, and any message "
                        + "resets the wait (the defaults of a source's `minPollInterval` and `maxPollInterval`). Under steady "
                        + "load an Azure event therefore waits up to ~%d ms unseen; a queue idle for ~8 s or more is polled only "
                        + "every %d s, so the first event after a lull can wait that long. SQS is long-polled (%d s wait; "
                        + "ElasticMQ, like SQS, answers as soon as a message arrives), so S3 events are picked up at once.%n%n",
                AzureQueueSettings.DEFAULT_MIN_POLL_INTERVAL.toMillis(), AzureQueueSettings.DEFAULT_MAX_POLL_INTERVAL.toSeconds(),
                AzureQueueSettings.DEFAULT_MIN_POLL_INTERVAL.toMillis(), AzureQueueSettings.DEFAULT_MAX_POLL_INTERVAL.toSeconds(),
                SqsSourceSettings.DEFAULT_WAIT_TIME.toSeconds()));

        md.append(String.format(Locale.ROOT, "**Cross-checks.** Afterwards (untimed) %d of %d replicas were found with the "
                        + "source's size and the source's ETag and MD5 in their provenance metadata; %d messages were dead-lettered. "
                        + "Every %dth event's target was also polled from the driver every %d ms during the run: %d were seen, "
                        + "the poll first saw the replica p50 %+.1f ms (min %+.1f, max %+.1f) after the log line's timestamp "
                        + "(negative: the replica is readable before the worker has finished verifying it and logged). "
                        + "The worker's own `skyferry_replication_lag_seconds` histogram (event time → message settled), "
                        + "events ≤ 1 s / all: %s.%n%n",
                results.stream().filter(Result::replicaMatchesAfterwards).count(), results.size(), deadLettered, pollEvery,
                LagReplicaCheck.POLL_INTERVAL.toMillis(), pollMinusLog.count(), pollMinusLog.percentile(50),
                pollMinusLog.min(), pollMinusLog.max(), workerHistogramSummary()));

        md.append("**Caveats.** One 2-core machine runs everything at once: Azurite (a node process), S3Proxy and ElasticMQ "
                + "(inside the driver's JVM), the driver and the worker; other jobs may share it too (see the load average). "
                + "Loopback, so no network latency, and emulator speeds, not cloud speeds. The emulators publish no events "
                + "for the worker's own replica writes, so the echo events a cloud deployment also receives (and skips) "
                + "are absent here. The driver's sample polling adds a little load of its own.");
        if (!workerWarnings.isEmpty()) {
            md.append(String.format(Locale.ROOT, " The worker logged %d warnings or errors (in lag.json).", workerWarnings.size()));
        }
        md.append("\n");
        return md.toString();
    }

    private String workerHistogramSummary() {
        List<String> parts = new ArrayList<>();
        workerLagHistogram.forEach((direction, buckets) -> {
            Double withinSecond = buckets.get("1.0");
            Double all = buckets.get("+Inf");
            parts.add(String.format(Locale.ROOT, "%s %.0f / %.0f", direction,
                    withinSecond == null ? Double.NaN : withinSecond, all == null ? Double.NaN : all));
        });
        return parts.isEmpty() ? "not scraped" : String.join(", ", parts);
    }

    String consoleSummary() {
        StringBuilder s = new StringBuilder("\n");
        s.append("| direction | replicated | lost | failed | p50 ms | p95 ms | p99 ms | max ms |\n");
        s.append(row("overall", r -> true));
        for (Direction d : Direction.values()) {
            s.append(row(d.label(), direction(d)));
        }
        s.append("| direction | queue wait | receipt → verified | copy + verify |  (p50 / p99 / max)\n");
        for (Direction d : Direction.values()) {
            s.append(breakdownRow(d.label(), direction(d)));
        }
        return s.toString();
    }

    private static double firstLoadAverage(String loadAverage) {
        try {
            return Double.parseDouble(loadAverage.split(" ")[0]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** One row per event, for digging into a run (not committed: it lands in app/target). */
    void writeEventsCsv(Path file) throws IOException {
        StringBuilder csv = new StringBuilder("index,direction,key,due,enqueued,sent,received,verified,copy_ms,lag_ms,polled,replica_ok\n");
        for (Result r : results) {
            csv.append(String.join(",", Integer.toString(r.event().index()), r.event().direction().label(), r.event().key(),
                    r.event().dueAt().toString(), r.event().enqueuedAt().toString(), r.event().sentAt().toString(),
                    r.logged() == null ? "" : r.logged().receivedAt().toString(),
                    r.logged() == null ? "" : r.logged().verifiedAt().toString(),
                    r.logged() == null ? "" : Long.toString(r.logged().copyMillis()),
                    r.logged() == null ? "" : String.format(Locale.ROOT, "%.1f", r.lagMillis()),
                    r.polledAt() == null ? "" : r.polledAt().toString(),
                    Boolean.toString(r.replicaMatchesAfterwards()))).append('\n');
        }
        Files.writeString(file, csv);
    }

    /** direction → le → cumulative count, from the worker's Prometheus text. */
    private static Map<String, Map<String, Double>> lagBuckets(String metrics) {
        Map<String, Map<String, Double>> byDirection = new LinkedHashMap<>();
        PrometheusText.samples(metrics, "skyferry_replication_lag_seconds_bucket").forEach((labels, count) ->
                byDirection.computeIfAbsent(labels.get("direction"), d -> new LinkedHashMap<>()).put(labels.get("le"), count));
        return byDirection;
    }
}
