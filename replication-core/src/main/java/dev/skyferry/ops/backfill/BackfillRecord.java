package dev.skyferry.ops.backfill;

/**
 * What backfill did with one object, for verbose and dry-run listings.
 *
 * @param pair   the rule and direction ({@code photos azure-to-s3})
 * @param key    the source key
 * @param label  the outcome: a verdict ({@code in-sync}, {@code source-is-replica}, {@code excluded}),
 *               {@code would-copy}, or the action's result ({@code replicated}, {@code enqueued},
 *               {@code skipped:<reason>}, {@code failed:<reason>})
 * @param detail why, in words
 */
public record BackfillRecord(String pair, String key, String label, String detail) {

    /** True for outcomes that leave the object to be retried by the next run. */
    public boolean failed() {
        return label.startsWith("failed:");
    }
}
