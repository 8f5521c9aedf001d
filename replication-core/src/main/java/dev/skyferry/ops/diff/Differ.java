package dev.skyferry.ops.diff;

import dev.skyferry.ops.progress.Progress;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.StoreKind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * {@code skyferry diff}: compares a source with its target under one rule and direction and reports
 * every object that is missing, different or unreplicable, and every replica whose source is gone
 * (extra). Reads only; lines come out in listing order, checks run {@code concurrency} at a time.
 */
public final class Differ {

    public static final int DEFAULT_PAGE_SIZE = 1000;
    public static final int DEFAULT_CONCURRENCY = 16;

    private final int pageSize;
    private final int concurrency;

    public Differ(int pageSize, int concurrency) {
        if (pageSize < 1 || pageSize > 1000) {
            throw new IllegalArgumentException("page size must be within 1..1000 (S3's maximum), was " + pageSize);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, was " + concurrency);
        }
        this.pageSize = pageSize;
        this.concurrency = concurrency;
    }

    /**
     * @param counts  per verdict kind, plus {@code extra} and {@code extra-expected}
     * @param drift   lines that count as drift (everything reported except expected extras)
     * @param stopped why the diff ended early (interrupted), or null
     */
    public record Result(Map<String, Long> counts, long drift, String stopped) {}

    /** @param out receives every drift line, in listing order */
    public Result run(SyncPair pair, Progress progress, Consumer<Drift> out) {
        ReplicaCheck check = ReplicaCheck.confirming(pair);
        PairedListing listing = new PairedListing(pair, pageSize, PairedListing.Position.START, true);
        Map<Verdict.Kind, Long> kinds = new EnumMap<>(Verdict.Kind.class);
        long extras = 0;
        long expectedExtras = 0;
        long drift = 0;
        String stopped = null;
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency, Thread.ofPlatform().daemon().name("skyferry-diff-", 0).factory())) {
            while (!listing.finished()) {
                if (Thread.currentThread().isInterrupted()) {
                    stopped = "interrupted";
                    break;
                }
                PairedListing.Page page = listing.next();
                List<Future<Optional<ReplicaCheck.Extra>>> unpaired = new ArrayList<>();
                for (ObjectInfo target : page.unmatchedTargets()) {
                    unpaired.add(pool.submit(() -> check.checkUnpaired(target)));
                }
                List<Future<Verdict>> verdicts = new ArrayList<>();
                for (PairedListing.Pair p : page.pairs()) {
                    verdicts.add(pool.submit(() -> check.check(p.source(), p.listedTarget())));
                }
                for (Future<Optional<ReplicaCheck.Extra>> future : unpaired) {
                    Optional<ReplicaCheck.Extra> extra = await(future);
                    if (extra.isPresent()) {
                        extras++;
                        progress.count(extra.get().expected() ? "extra-expected" : "extra");
                        if (extra.get().expected()) {
                            expectedExtras++;
                        } else {
                            drift++;
                        }
                        out.accept(extraLine(pair, extra.get()));
                    }
                }
                for (Future<Verdict> future : verdicts) {
                    Verdict verdict = await(future);
                    kinds.merge(verdict.kind(), 1L, Long::sum);
                    progress.advance(1, verdict.source().size());
                    progress.count(verdict.kind().label());
                    if (verdict.kind().drift()) {
                        drift++;
                        out.accept(driftLine(pair, verdict));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = "interrupted";
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Verdict.Kind kind : Verdict.Kind.values()) {
            counts.put(kind.label(), kinds.getOrDefault(kind, 0L));
        }
        counts.put("extra", extras - expectedExtras);
        counts.put("extra-expected", expectedExtras);
        return new Result(counts, drift, stopped);
    }

    private static <T> T await(Future<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime; // a store failure: the diff cannot be trusted, so it ends with the error
            }
            throw new IllegalStateException(cause);
        }
    }

    static Drift driftLine(SyncPair pair, Verdict v) {
        String kind = switch (v.kind()) {
            case MISSING -> Drift.MISSING;
            case DIFFERENT -> Drift.DIFFERENT;
            case UNREPLICABLE -> Drift.UNREPLICABLE;
            default -> throw new IllegalArgumentException(v.kind() + " is not drift");
        };
        return new Drift(kind, pair.rule().name(), pair.direction(), location(pair.source(), v.source().key()),
                v.targetKey() == null ? null : location(pair.target(), v.targetKey()),
                v.source().size(), v.target() == null ? null : v.target().size(), ReplicaCheck.unquoteEtag(v.source().etag()),
                false, v.detail());
    }

    static Drift extraLine(SyncPair pair, ReplicaCheck.Extra extra) {
        return new Drift(Drift.EXTRA, pair.rule().name(), pair.direction(), location(pair.source(), extra.sourceKey()),
                location(pair.target(), extra.target().key()), null, extra.target().size(), null, extra.expected(),
                extra.detail());
    }

    /** {@code azure://account/container/key} or {@code s3://bucket/key}. */
    public static String location(ObjectStore store, String key) {
        return store.kind() == StoreKind.S3 ? "s3://" + store.container() + "/" + key
                : "azure://" + store.account() + "/" + store.container() + "/" + key;
    }
}
