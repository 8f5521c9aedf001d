package dev.skyferry.store;

import java.net.URL;

/**
 * A target store that can copy from a URL server-side (Azure Put Blob From URL / Put Block From URL).
 * Throws {@link StoreException} of kind UNSUPPORTED when the service cannot do it at all, or with
 * error code {@code CannotVerifyCopySource} when it cannot reach the source; the copier then falls
 * back to streaming in {@code auto} mode.
 */
public interface UrlCopyTarget {

    /**
     * Copies {@code size} bytes from {@code source} into {@code key}: one Put Blob From URL when the
     * object fits in {@code blockSize}, otherwise Put Block From URL per block and a commit.
     */
    ObjectStore.WriteResult copyFromUrl(String key, URL source, long size, long blockSize,
                                        ObjectStore.WriteSpec spec, Precondition condition);
}
