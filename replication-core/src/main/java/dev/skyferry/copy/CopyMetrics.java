package dev.skyferry.copy;

/**
 * The copier's metrics seam; {@code app} binds it to Micrometer
 * ({@code skyferry_server_side_fallbacks_total{reason}}).
 */
public interface CopyMetrics {

    CopyMetrics NONE = reason -> { };

    /**
     * An S3 → Azure copy in {@code auto} mode fell back to streaming.
     *
     * @param reason {@code unsupported} (the service cannot copy from a URL at all) or
     *               {@code cannot-verify-copy-source} (it could not fetch the pre-signed URL)
     */
    void serverSideFallback(String reason);
}
