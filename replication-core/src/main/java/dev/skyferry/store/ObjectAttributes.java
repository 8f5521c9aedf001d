package dev.skyferry.store;

import java.util.Map;

/**
 * The HTTP content headers and user metadata that travel with an object. Any field may be null;
 * {@code userMetadata} and {@code tags} are never null.
 */
public record ObjectAttributes(
        String contentType,
        String contentEncoding,
        String contentLanguage,
        String contentDisposition,
        String cacheControl,
        Map<String, String> userMetadata,
        Map<String, String> tags) {

    public static final ObjectAttributes NONE = new ObjectAttributes(null, null, null, null, null, Map.of(), Map.of());

    public ObjectAttributes {
        userMetadata = userMetadata == null ? Map.of() : Map.copyOf(userMetadata);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    public ObjectAttributes withUserMetadata(Map<String, String> metadata) {
        return new ObjectAttributes(contentType, contentEncoding, contentLanguage, contentDisposition, cacheControl, metadata, tags);
    }

    public ObjectAttributes withTags(Map<String, String> newTags) {
        return new ObjectAttributes(contentType, contentEncoding, contentLanguage, contentDisposition, cacheControl, userMetadata, newTags);
    }
}
