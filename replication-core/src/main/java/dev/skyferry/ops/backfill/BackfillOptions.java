package dev.skyferry.ops.backfill;

/**
 * @param pageSize    objects per listing page; a checkpoint is written after each page (1..1000)
 * @param concurrency objects checked and copied (or enqueued) at once
 * @param dryRun      list what would be copied, copy nothing, write no checkpoint
 * @param afterPage   called on the backfill's thread after each page's checkpoint is written
 */
public record BackfillOptions(int pageSize, int concurrency, boolean dryRun, PageListener afterPage) {

    public static final int DEFAULT_PAGE_SIZE = 1000;
    public static final int DEFAULT_CONCURRENCY = 16;

    public BackfillOptions {
        if (pageSize < 1 || pageSize > 1000) {
            throw new IllegalArgumentException("page size must be within 1..1000 (S3's maximum), was " + pageSize);
        }
        if (concurrency < 1 || concurrency > 1024) {
            throw new IllegalArgumentException("concurrency must be within 1..1024, was " + concurrency);
        }
        afterPage = afterPage == null ? (pair, pages) -> { } : afterPage;
    }

    public static BackfillOptions defaults() {
        return new BackfillOptions(DEFAULT_PAGE_SIZE, DEFAULT_CONCURRENCY, false, null);
    }

    /** Told when a page is done and checkpointed: progress logs, and tests that stop a run midway. */
    @FunctionalInterface
    public interface PageListener {
        void pageDone(String pairName, long pagesDone);
    }
}
