package dev.skyferry.ops.diff;

import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Walks a source listing page by page and the target listing beside it, pairing each source object
 * with the entry listed at its replica's key: one LIST request per page on each side instead of a
 * HEAD per object (rclone's {@code march} does the same).
 *
 * <p>Both stores list in key order and the rule maps a key by swapping prefixes, so keys relative
 * to the prefixes line up. Where the two clouds' orders could disagree (Azure compares some non-ASCII
 * names differently), a pairing is only ever missed, never wrong: an unpaired source object is
 * confirmed with a HEAD of its target, an unpaired target with a HEAD of its source, by
 * {@link ReplicaCheck}. So drift reports never depend on the order.
 *
 * <p>The same holds for a resumed listing: a checkpointed target continuation token names where
 * that listing stood when it was issued (Azure's marker is the next blob name then), so replicas
 * written since just before it are not listed again. Their sources go unpaired and are confirmed
 * like any other — extra requests, never a wrong verdict.
 */
public final class PairedListing {

    /** Code point order, which is UTF-8 byte order: how S3 lists, and Azure for the common cases. */
    static final Comparator<String> KEY_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    private final SyncPair pair;
    private final int pageSize;
    private final boolean collectUnmatchedTargets;

    private String sourceToken;
    private boolean sourceDone;
    private String targetPageToken;
    private List<ObjectInfo> targetPage;
    private int targetIndex;
    private String targetNextToken;
    private boolean targetDone;

    /**
     * @param start                   where to begin: {@link Position#START} or a checkpointed position
     * @param collectUnmatchedTargets report target entries no source object pairs with (diff's
     *                                extras); false stops listing the target once the source ends
     */
    public PairedListing(SyncPair pair, int pageSize, Position start, boolean collectUnmatchedTargets) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("page size must be at least 1, was " + pageSize);
        }
        this.pair = pair;
        this.pageSize = pageSize;
        this.collectUnmatchedTargets = collectUnmatchedTargets;
        this.sourceToken = start.sourceToken();
        this.sourceDone = start.sourceDone();
        this.targetNextToken = start.targetToken();
        this.targetDone = start.targetDone();
    }

    /**
     * Where a listing stands between pages, for checkpoints.
     *
     * @param sourceToken continuation of the next source page; null for the first
     * @param sourceDone  the source listing is finished
     * @param targetToken continuation of the target page to read next (possibly re-read: entries
     *                    before the next source key are skipped again); null for the first
     * @param targetDone  the target listing is finished
     */
    public record Position(String sourceToken, boolean sourceDone, String targetToken, boolean targetDone) {
        public static final Position START = new Position(null, false, null, false);
    }

    /** One source object and the target entry listed at its replica's key, or null when none was listed there. */
    public record Pair(ObjectInfo source, ObjectInfo listedTarget) {}

    /**
     * @param pairs            the source page's objects, in listing order
     * @param unmatchedTargets target entries between the previous and this page's source keys that
     *                         no source object pairs with (only when collecting)
     * @param after            the position after this page, to checkpoint once the page is handled
     */
    public record Page(List<Pair> pairs, List<ObjectInfo> unmatchedTargets, Position after) {}

    /** True when {@link #next()} has nothing more to give. */
    public boolean finished() {
        return sourceDone && (!collectUnmatchedTargets || targetExhausted());
    }

    /** The next page; call only while not {@link #finished()}. */
    public Page next() {
        if (finished()) {
            throw new IllegalStateException("listing of " + pair.name() + " is finished");
        }
        List<ObjectInfo> unmatched = new ArrayList<>();
        if (sourceDone) {
            // The source has ended: whatever is left on the target pairs with nothing.
            while (peekTarget() != null) {
                unmatched.add(targetPage.get(targetIndex++));
                if (targetIndex == targetPage.size()) {
                    break; // one target page per call keeps memory bounded
                }
            }
            return new Page(List.of(), unmatched, position());
        }
        ObjectStore.ListPage page = pair.source().list(pair.sourcePrefix(), sourceToken, pageSize);
        List<Pair> pairs = new ArrayList<>(page.objects().size());
        for (ObjectInfo source : page.objects()) {
            String relative = relative(source.key(), pair.sourcePrefix());
            ObjectInfo target;
            while ((target = peekTarget()) != null
                    && KEY_ORDER.compare(relative(target.key(), pair.targetPrefix()), relative) < 0) {
                if (collectUnmatchedTargets) {
                    unmatched.add(target);
                }
                targetIndex++;
            }
            if (target != null && relative(target.key(), pair.targetPrefix()).equals(relative)) {
                pairs.add(new Pair(source, target));
                targetIndex++;
            } else {
                pairs.add(new Pair(source, null));
            }
        }
        sourceToken = page.continuation();
        sourceDone = sourceToken == null;
        return new Page(pairs, unmatched, position());
    }

    private Position position() {
        boolean midPage = targetPage != null && targetIndex < targetPage.size();
        return new Position(sourceToken, sourceDone, midPage ? targetPageToken : targetNextToken,
                !midPage && targetDone);
    }

    private boolean targetExhausted() {
        return peekTarget() == null;
    }

    /** The next target entry, fetching pages as needed; null when the target listing has ended. */
    private ObjectInfo peekTarget() {
        while (targetPage == null || targetIndex >= targetPage.size()) {
            if (targetDone) {
                return null;
            }
            targetPageToken = targetNextToken;
            ObjectStore.ListPage page = pair.target().list(pair.targetPrefix(), targetPageToken, pageSize);
            targetPage = page.objects();
            targetIndex = 0;
            targetNextToken = page.continuation();
            targetDone = targetNextToken == null;
        }
        return targetPage.get(targetIndex);
    }

    private static String relative(String key, String prefix) {
        return key.startsWith(prefix) ? key.substring(prefix.length()) : key;
    }
}
