package dev.skyferry.ops;

import dev.skyferry.plan.Provenance;
import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.Precondition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;

/** Writes test objects through the stores, as originals or as Skyferry replicas of a source. */
public final class StoreWrites {

    private StoreWrites() {}

    /** An original object (no provenance); returns its ETag. */
    public static String original(ObjectStore store, String key, String content) {
        return put(store, key, content, Map.of());
    }

    /** A replica of {@code sourceKey} in {@code source} as it was at {@code sourceEtag}. */
    public static String replica(ObjectStore target, String key, String content, ObjectStore source, String sourceKey,
                                 String sourceEtag) {
        return put(target, key, content, Map.of(
                Provenance.REPLICA_MARKER, "1",
                Provenance.SOURCE_URI, source.uriOf(sourceKey).toASCIIString(),
                Provenance.SOURCE_ETAG, sourceEtag,
                Provenance.SOURCE_MD5, Base64.getEncoder().encodeToString(md5(content.getBytes(StandardCharsets.UTF_8)))));
    }

    public static String put(ObjectStore store, String key, String content, Map<String, String> metadata) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        ObjectAttributes attributes = new ObjectAttributes("text/plain", null, null, null, null, metadata, Map.of());
        return store.put(key, ByteBuffer.wrap(bytes),
                new ObjectStore.WriteSpec(attributes, bytes.length, md5(bytes), ObjectStore.TargetOptions.DEFAULTS),
                Precondition.NONE).etag();
    }

    public static byte[] md5(byte[] bytes) {
        try {
            return MessageDigest.getInstance("MD5").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
