package dev.skyferry.copy;

import dev.skyferry.plan.Provenance;
import dev.skyferry.plan.ReasonCodes;
import dev.skyferry.plan.ReplicationFailure;
import dev.skyferry.plan.ReplicationTask;
import dev.skyferry.rule.ReplicationRule.DeletePolicy;
import dev.skyferry.rule.ReplicationRule.InvalidMetadataPolicy;
import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.StoreKind;
import dev.skyferry.verify.Checksums;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The attributes a replica is written with: the source's content headers, its user metadata made to
 * fit the target, its tags (when the rule carries them) checked against the target's limits, and
 * fresh provenance. Incoming {@code skyferry_*} metadata is never carried over: a replica's
 * provenance always describes its own source.
 *
 * <p>Anything the target cannot hold is a clear, permanent outcome before a byte is written, never a
 * silent truncation: {@code invalid-metadata}, {@code metadata-too-large} (S3 keeps at most 2 KiB of
 * user metadata, Azure 8 KiB, both counting provenance) or {@code invalid-tags}.
 */
final class ReplicaAttributes {

    /** S3: names plus values, in UTF-8 bytes. */
    static final int S3_USER_METADATA_LIMIT = 2048;
    /** Azure: names plus values. */
    static final int AZURE_METADATA_LIMIT = 8192;
    static final int MAX_TAGS = 10;
    static final int MAX_TAG_KEY_LENGTH = 128;
    static final int MAX_TAG_VALUE_LENGTH = 256;

    /** Azure metadata names are C# identifiers; like AzCopy, only the ASCII subset is accepted. */
    private static final Pattern AZURE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern AZURE_INVALID_NAME_CHAR = Pattern.compile("[^A-Za-z0-9_]");
    /** Azure metadata values travel as HTTP headers: printable ASCII. */
    private static final Pattern AZURE_VALUE = Pattern.compile("[\\x20-\\x7E]*");
    private static final Pattern S3_TAG_TEXT = Pattern.compile("[\\p{L}\\p{N}\\p{Zs}+\\-=._:/@]*");
    private static final Pattern AZURE_TAG_TEXT = Pattern.compile("[A-Za-z0-9 +\\-./:=_]*");
    /** AzCopy's RenameIfInvalid: {@code rename_<name>} holds the value, {@code rename_key_<name>} the original name. */
    static final String RENAMED_VALUE_PREFIX = "rename_";
    static final String RENAMED_NAME_PREFIX = "rename_key_";
    private static final int MD5_BASE64_LENGTH = 24;
    /** The longest {@code Instant.toString()} of a tombstone's time this side of year 10 000 (nanoseconds). */
    private static final int TOMBSTONE_TIME_MAX_LENGTH = "2026-01-01T00:00:00.000000000Z".length();

    private final ObjectAttributes carried;
    private final Map<String, String> provenance;

    private ReplicaAttributes(ObjectAttributes carried, Map<String, String> provenance) {
        this.carried = carried;
        this.provenance = provenance;
    }

    /**
     * @param source the source object's info, from the GET (or HEAD) of the version being copied
     * @param tags   the source's tags when the rule copies them, else an empty map
     * @throws ReplicationFailure when the metadata or tags cannot be written to the target
     */
    static ReplicaAttributes prepare(ReplicationTask task, ObjectInfo source, Map<String, String> tags) {
        StoreKind targetKind = task.target().kind();
        Map<String, String> incoming = new LinkedHashMap<>();
        source.attributes().userMetadata().forEach((name, value) -> {
            if (!Provenance.isProvenanceName(name)) {
                incoming.put(name, value);
            }
        });
        Map<String, String> userMetadata = targetKind == StoreKind.AZURE_BLOB
                ? fitAzureNames(incoming, task.rule().invalidMetadata())
                : incoming;
        Map<String, String> provenance = provenance(task, source);
        checkMetadataSize(task, userMetadata, provenance);
        if (!tags.isEmpty()) {
            checkTags(targetKind, tags);
        }
        ObjectAttributes from = source.attributes();
        ObjectAttributes carried = new ObjectAttributes(from.contentType(), from.contentEncoding(), from.contentLanguage(),
                from.contentDisposition(), from.cacheControl(), userMetadata, tags);
        return new ReplicaAttributes(carried, provenance);
    }

    /** The final attributes, with the source MD5 in the provenance when it is known. */
    ObjectAttributes withSourceMd5(byte[] sourceMd5) {
        Map<String, String> metadata = new LinkedHashMap<>(carried.userMetadata());
        metadata.putAll(provenance);
        if (sourceMd5 != null) {
            metadata.put(Provenance.SOURCE_MD5, Checksums.base64(sourceMd5));
        }
        return carried.withUserMetadata(metadata);
    }

    private static Map<String, String> provenance(ReplicationTask task, ObjectInfo source) {
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put(Provenance.REPLICA_MARKER, Provenance.MARKER_VALUE);
        provenance.put(Provenance.SOURCE_URI, task.sourceUriValue());
        if (source.etag() != null) {
            provenance.put(Provenance.SOURCE_ETAG, source.etag());
        }
        if (source.versionId() != null) {
            provenance.put(Provenance.SOURCE_VERSION, source.versionId());
        }
        if (task.event().sequencer() != null) {
            provenance.put(Provenance.SOURCE_SEQUENCER, task.event().sequencer());
        }
        provenance.put(Provenance.RULE, task.rule().name());
        return provenance;
    }

    private static Map<String, String> fitAzureNames(Map<String, String> metadata, InvalidMetadataPolicy policy) {
        List<String> invalid = new ArrayList<>();
        Map<String, String> fitted = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            boolean validName = AZURE_NAME.matcher(entry.getKey()).matches();
            boolean validValue = AZURE_VALUE.matcher(entry.getValue()).matches();
            if (validName && validValue) {
                fitted.put(entry.getKey(), entry.getValue());
            } else {
                invalid.add(entry.getKey());
            }
        }
        if (invalid.isEmpty()) {
            return metadata;
        }
        switch (policy == null ? InvalidMetadataPolicy.EXCLUDE : policy) {
            case EXCLUDE -> {
                return fitted;
            }
            case FAIL -> throw ReplicationFailure.permanent(ReasonCodes.INVALID_METADATA,
                    "metadata Azure cannot hold (names must be C# identifiers, values printable ASCII): "
                            + invalid + "; the rule's invalidMetadata policy is fail");
            case RENAME -> {
                return renameLikeAzCopy(metadata, fitted, invalid);
            }
        }
        throw new IllegalStateException("unhandled policy " + policy);
    }

    private static Map<String, String> renameLikeAzCopy(Map<String, String> original, Map<String, String> fitted,
                                                        List<String> invalid) {
        Map<String, String> renamed = new LinkedHashMap<>(fitted);
        for (String name : invalid) {
            String value = original.get(name);
            if (!AZURE_VALUE.matcher(value).matches()) {
                throw ReplicationFailure.permanent(ReasonCodes.INVALID_METADATA, "metadata " + name
                        + " has a value Azure cannot hold (printable ASCII only); renaming cannot fix a value");
            }
            String valid = AZURE_INVALID_NAME_CHAR.matcher(name).replaceAll("_");
            String valueName = RENAMED_VALUE_PREFIX + valid;
            String nameName = RENAMED_NAME_PREFIX + valid;
            if (!AZURE_VALUE.matcher(name).matches()) {
                throw ReplicationFailure.permanent(ReasonCodes.INVALID_METADATA, "metadata name " + name
                        + " is not ASCII, so it cannot be kept in " + nameName);
            }
            if (collides(original, renamed, valueName) || collides(original, renamed, nameName)) {
                throw ReplicationFailure.permanent(ReasonCodes.INVALID_METADATA, "metadata name " + name
                        + " cannot be renamed: " + valueName + " or " + nameName + " is already taken");
            }
            renamed.put(valueName, value);
            renamed.put(nameName, name);
        }
        return renamed;
    }

    // Azure metadata names are case-insensitive.
    private static boolean collides(Map<String, String> original, Map<String, String> renamed, String name) {
        return original.keySet().stream().anyMatch(name::equalsIgnoreCase)
                || renamed.keySet().stream().anyMatch(name::equalsIgnoreCase);
    }

    private static void checkMetadataSize(ReplicationTask task, Map<String, String> userMetadata,
                                          Map<String, String> provenance) {
        int userBytes = metadataBytes(userMetadata);
        // Counted whether or not the MD5 is known yet, so the decision never depends on it; and the mark a
        // tombstone adds later, so that a replica accepted now can still be tombstoned.
        int provenanceBytes = metadataBytes(provenance) + Provenance.SOURCE_MD5.length() + MD5_BASE64_LENGTH
                + (task.deletePolicy() == DeletePolicy.TOMBSTONE
                        ? Provenance.SOURCE_DELETED_AT.length() + TOMBSTONE_TIME_MAX_LENGTH : 0);
        boolean s3 = task.target().kind() == StoreKind.S3;
        int limit = s3 ? S3_USER_METADATA_LIMIT : AZURE_METADATA_LIMIT;
        if (userBytes + provenanceBytes > limit) {
            throw ReplicationFailure.permanent(ReasonCodes.METADATA_TOO_LARGE, "user metadata is " + userBytes
                    + " bytes and Skyferry's provenance " + provenanceBytes + " bytes; " + (s3 ? "S3" : "Azure")
                    + " holds at most " + limit + " bytes of metadata");
        }
    }

    private static int metadataBytes(Map<String, String> metadata) {
        int bytes = 0;
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            bytes += entry.getKey().getBytes(StandardCharsets.UTF_8).length
                    + entry.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        return bytes;
    }

    private static void checkTags(StoreKind targetKind, Map<String, String> tags) {
        List<String> problems = new ArrayList<>();
        if (tags.size() > MAX_TAGS) {
            problems.add(tags.size() + " tags, at most " + MAX_TAGS);
        }
        Pattern allowed = targetKind == StoreKind.S3 ? S3_TAG_TEXT : AZURE_TAG_TEXT;
        new TreeMap<>(tags).forEach((key, value) -> {
            if (key.isEmpty() || key.length() > MAX_TAG_KEY_LENGTH) {
                problems.add("tag key '" + key + "' must be 1 to " + MAX_TAG_KEY_LENGTH + " characters");
            }
            if (value.length() > MAX_TAG_VALUE_LENGTH) {
                problems.add("tag '" + key + "' has a value longer than " + MAX_TAG_VALUE_LENGTH + " characters");
            }
            if (!allowed.matcher(key).matches() || !allowed.matcher(value).matches()) {
                problems.add("tag '" + key + "' has characters " + (targetKind == StoreKind.S3 ? "S3" : "Azure blob index tags")
                        + " do not allow");
            }
        });
        if (!problems.isEmpty()) {
            throw ReplicationFailure.permanent(ReasonCodes.INVALID_TAGS, "tags cannot be carried to "
                    + (targetKind == StoreKind.S3 ? "S3" : "Azure") + ": " + String.join("; ", problems));
        }
    }
}
