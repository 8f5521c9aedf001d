package dev.skyferry.store;

import java.net.URL;
import java.time.Duration;

/** A source store that can hand out a pre-signed GET URL, so a target service can fetch server-side. */
public interface PresignedReads {

    /**
     * @param condition {@link Precondition.Version} pins the version; other conditions are ignored
     *                  (a pre-signed URL cannot carry If-Match) and the caller checks the ETag itself
     */
    URL presignGet(String key, Precondition condition, Duration validity);
}
