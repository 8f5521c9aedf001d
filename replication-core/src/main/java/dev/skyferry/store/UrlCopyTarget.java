package dev.skyferry.store;

import java.net.URL;
import java.util.function.Supplier;

/**
 * A target store that can copy from a URL server-side (Azure Put Blob From URL / Put Block From URL).
 * Throws {@link StoreException} of kind UNSUPPORTED when the service cannot do it at all, or with
 * error code {@code CannotVerifyCopySource} when it cannot reach the source; the copier then falls
 * back to streaming in {@code auto} mode.
 */
public interface UrlCopyTarget {

    /**
     * Copies {@code size} bytes from the source into {@code key}: one Put Blob From URL when the
     * object fits in {@code blockSize}, otherwise Put Block From URL per block and a commit.
     *
     * @param signedSource signs a URL of the source; asked again for every request, just before it,
     *                     because a URL signed with temporary credentials (STS) expires with them,
     *                     whatever its own validity, and a large copy can outlast them; what it
     *                     throws comes out of this call as it was thrown
     */
    ObjectStore.WriteResult copyFromUrl(String key, Supplier<URL> signedSource, long size, long blockSize,
                                        ObjectStore.WriteSpec spec, Precondition condition);
}
