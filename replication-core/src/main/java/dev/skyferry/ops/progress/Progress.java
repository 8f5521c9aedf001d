package dev.skyferry.ops.progress;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Thread-safe counters of one long operation (a replay, a backfill, a diff): items done out of an
 * optional total, bytes, and named outcome counts. Renderers read {@link #snapshot()}; workers only
 * add. Counts carried over from an earlier run (a resumed backfill) are set with {@link #resumeFrom}
 * so that the rate, and with it the ETA, measures this run only.
 */
public final class Progress {

    /** The total is not known (yet): no percentage, no ETA. */
    public static final long UNKNOWN = -1;

    private final String unit;
    private final LongSupplier nanoTime;
    private final long startNanos;
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong doneAtStart = new AtomicLong();
    private final AtomicLong bytesAtStart = new AtomicLong();
    private final AtomicLong total = new AtomicLong(UNKNOWN);
    private final AtomicLong totalBytes = new AtomicLong(UNKNOWN);
    // Insertion order is kept so that summaries list outcomes in the order they first happened.
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    /** @param unit what is counted, plural: "messages", "objects" */
    public Progress(String unit) {
        this(unit, System::nanoTime);
    }

    /** For tests: {@code nanoTime} stands in for {@link System#nanoTime()}. */
    public Progress(String unit, LongSupplier nanoTime) {
        this.unit = unit;
        this.nanoTime = nanoTime;
        this.startNanos = nanoTime.getAsLong();
    }

    /** Records items and bytes finished. */
    public void advance(long items, long itemBytes) {
        done.addAndGet(items);
        bytes.addAndGet(itemBytes);
    }

    /** Adds one to a named outcome ("moved", "missing", "failed"). */
    public void count(String outcome) {
        count(outcome, 1);
    }

    public void count(String outcome, long n) {
        firstSeen.computeIfAbsent(outcome, k -> sequence.getAndIncrement());
        counts.computeIfAbsent(outcome, k -> new LongAdder()).add(n);
    }

    /** The number of items expected in all, or {@link #UNKNOWN}. */
    public void total(long items) {
        total.set(items);
    }

    public void totalBytes(long value) {
        totalBytes.set(value);
    }

    /** Counts already achieved by an earlier run, excluded from this run's rate. */
    public void resumeFrom(long items, long itemBytes) {
        done.addAndGet(items);
        bytes.addAndGet(itemBytes);
        doneAtStart.addAndGet(items);
        bytesAtStart.addAndGet(itemBytes);
    }

    public long done() {
        return done.get();
    }

    /** The current value of a named outcome count; 0 when it never happened. */
    public long countOf(String outcome) {
        LongAdder adder = counts.get(outcome);
        return adder == null ? 0 : adder.sum();
    }

    public Snapshot snapshot() {
        Map<String, Long> ordered = new LinkedHashMap<>();
        firstSeen.entrySet().stream()
                .sorted(Map.Entry.comparingByValue())
                .forEach(e -> ordered.put(e.getKey(), counts.get(e.getKey()).sum()));
        return new Snapshot(unit, done.get(), total.get(), bytes.get(), totalBytes.get(),
                done.get() - doneAtStart.get(), bytes.get() - bytesAtStart.get(),
                Duration.ofNanos(nanoTime.getAsLong() - startNanos), Collections.unmodifiableMap(ordered));
    }
}
