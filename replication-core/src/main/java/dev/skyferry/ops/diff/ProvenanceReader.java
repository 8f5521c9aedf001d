package dev.skyferry.ops.diff;

import dev.skyferry.plan.Provenance;
import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * Reads Skyferry's provenance metadata from a store's user metadata, case-insensitively (Azure keeps
 * the case a name was written in, S3 lower-cases it).
 */
final class ProvenanceReader {

    private ProvenanceReader() {}

    static boolean isReplica(Map<String, String> userMetadata) {
        return get(userMetadata, Provenance.REPLICA_MARKER) != null;
    }

    static String get(Map<String, String> userMetadata, String name) {
        String exact = userMetadata.get(name);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, String> entry : userMetadata.entrySet()) {
            if (entry.getKey().toLowerCase(Locale.ROOT).equals(name)) {
                return entry.getValue();
            }
        }
        return null;
    }

    /** The form the worker stores a source URI in: ASCII, so it is a valid header on both clouds. */
    static String sourceUriValue(URI uri) {
        return uri.toASCIIString();
    }
}
