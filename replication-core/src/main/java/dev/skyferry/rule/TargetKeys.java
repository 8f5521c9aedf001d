package dev.skyferry.rule;

import dev.skyferry.store.StoreKind;
import java.nio.charset.StandardCharsets;

/**
 * What a key must satisfy to exist in each store under that very name. Azure blob names: 1–1024
 * characters (counted here as UTF-16 units, the stricter reading), at most 254 path segments, no
 * control characters; S3 keys: 1–1024 bytes of UTF-8. Both accept other Unicode, including keys
 * ending in {@code /} (folder markers), but not unpaired surrogates, which have no UTF-8 form.
 *
 * <p>Azure also accepts two kinds of name it then stores under another: a backslash becomes
 * {@code /}, and a dot that ends a path segment is trimmed ({@code notes/draft.}, {@code dir./a},
 * {@code a/../b}). Such a replica would land on another object's name (and, under a two-way rule,
 * come back over that object in S3), so those keys are refused too (Naming and Referencing
 * Containers, Blobs, and Metadata; the backslash is also Azurite's behaviour).
 */
final class TargetKeys {

    static final int MAX_AZURE_BLOB_NAME_CHARS = 1024;
    static final int MAX_AZURE_PATH_SEGMENTS = 254;
    static final int MAX_S3_KEY_UTF8_BYTES = 1024;

    private TargetKeys() {}

    /** Why {@code key} cannot exist in {@code store}, or null when it can. */
    static String problem(StoreKind store, String key) {
        if (key.isEmpty()) {
            return "the key maps to an empty " + (store == StoreKind.S3 ? "S3 key" : "blob name");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "the key contains an unpaired surrogate at index " + i + " (not valid Unicode)";
            }
        }
        if (store == StoreKind.AZURE_BLOB) {
            return azureBlobNameProblem(key);
        }
        if (store == StoreKind.S3) {
            int bytes = key.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_S3_KEY_UTF8_BYTES) {
                return "the target S3 key is " + bytes + " bytes of UTF-8; S3 allows " + MAX_S3_KEY_UTF8_BYTES;
            }
        }
        return null;
    }

    private static String azureBlobNameProblem(String name) {
        if (name.length() > MAX_AZURE_BLOB_NAME_CHARS) {
            return "the target blob name is " + name.length() + " characters; Azure allows " + MAX_AZURE_BLOB_NAME_CHARS;
        }
        if (name.indexOf('\\') >= 0) {
            return "the target blob name contains a backslash, which Azure stores as '/': the replica would land on another name";
        }
        if (name.endsWith(".") || name.contains("./")) {
            return "a path segment of the target blob name ends with a dot, which Azure trims: the replica would land on another name";
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return "the target blob name contains the control character U+%04X, which Azure refuses"
                        .formatted((int) name.charAt(i));
            }
        }
        long segments = name.chars().filter(c -> c == '/').count() + 1;
        if (segments > MAX_AZURE_PATH_SEGMENTS) {
            return "the target blob name has " + segments + " path segments; Azure allows " + MAX_AZURE_PATH_SEGMENTS;
        }
        return null;
    }
}
