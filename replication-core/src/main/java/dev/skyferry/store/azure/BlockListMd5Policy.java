package dev.skyferry.store.azure;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.policy.HttpPipelineSyncPolicy;
import com.azure.core.util.BinaryData;
import dev.skyferry.verify.Checksums;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Sends the MD5 of a Put Block List body as its transactional {@code Content-MD5}, which the SDK does
 * not: the service then refuses a block list changed on the way (400 Md5Mismatch, retried as
 * {@code CHECKSUM_REFUSED}) instead of committing other blocks of the upload than the ones sent, and
 * the list gets the same guard the blocks already have. Runs first in the pipeline, before the Shared
 * Key signature, which covers Content-MD5. Azurite accepts the header without checking it.
 */
final class BlockListMd5Policy extends HttpPipelineSyncPolicy {

    @Override
    protected void beforeSendingRequest(HttpPipelineCallContext context) {
        HttpRequest request = context.getHttpRequest();
        if (request.getHttpMethod() != HttpMethod.PUT || !isBlockList(request.getUrl().getQuery())
                || request.getHeaders().get(HttpHeaderName.CONTENT_MD5) != null) {
            return;
        }
        BinaryData body = request.getBodyAsBinaryData();
        if (body != null) {
            // The SDK serialises the list into memory: reading it does not consume it.
            request.setHeader(HttpHeaderName.CONTENT_MD5, Checksums.base64(Checksums.md5(ByteBuffer.wrap(body.toBytes()))));
        }
    }

    private static boolean isBlockList(String query) {
        return query != null && Arrays.asList(query.split("&")).contains("comp=blocklist");
    }
}
