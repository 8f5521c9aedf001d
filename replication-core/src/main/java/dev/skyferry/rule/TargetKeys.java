package dev.skyferry.rule;

import dev.skyferry.store.StoreKind;
import java.nio.charset.StandardCharsets;

/**
 * What a key must satisfy to exist in each store. Azure blob names: 1–1024 characters (counted
 * here as UTF-16 units, the stricter reading); S3 keys: 1–1024 bytes of UTF-8. Both accept any
 * Unicode, including keys ending in {@code /} (folder markers), but not unpaired surrogates,
 * which have no UTF-8 form.
 */
final class TargetKeys {

    static final int MAX_AZURE_BLOB_NAME_CHARS = 1024;
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
        if (store == StoreKind.AZURE_BLOB && key.length() > MAX_AZURE_BLOB_NAME_CHARS) {
            return "the target blob name is " + key.length() + " characters; Azure allows "
                    + MAX_AZURE_BLOB_NAME_CHARS;
        }
        if (store == StoreKind.S3) {
            int bytes = key.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_S3_KEY_UTF8_BYTES) {
                return "the target S3 key is " + bytes + " bytes of UTF-8; S3 allows " + MAX_S3_KEY_UTF8_BYTES;
            }
        }
        return null;
    }
}
