package dev.skyferry.ops.diff;

import dev.skyferry.ops.progress.Progress;
import dev.skyferry.store.ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts a source prefix in the background so the progress display can show a percentage and an
 * ETA. Listing is cheap next to copying (one request per thousand keys) and runs beside the work,
 * so nothing waits for it; until it finishes the display shows rate without ETA.
 */
public final class ListingCounter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ListingCounter.class);
    private static final int PAGE_SIZE = 1000;

    private final Thread thread;

    private ListingCounter(Thread thread) {
        this.thread = thread;
    }

    public static ListingCounter start(ObjectStore store, String prefix, Progress progress) {
        Thread thread = Thread.ofVirtual().name("skyferry-count").start(() -> {
            long objects = 0;
            long bytes = 0;
            String token = null;
            try {
                do {
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                    ObjectStore.ListPage page = store.list(prefix, token, PAGE_SIZE);
                    objects += page.objects().size();
                    bytes += page.objects().stream().mapToLong(o -> o.size()).sum();
                    token = page.continuation();
                } while (token != null);
                progress.total(objects);
                progress.totalBytes(bytes);
            } catch (RuntimeException e) {
                LOG.debug("Counting {} for the progress total failed; showing no ETA: {}", prefix, e.getMessage());
            }
        });
        return new ListingCounter(thread);
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
