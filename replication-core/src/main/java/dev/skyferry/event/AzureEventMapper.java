package dev.skyferry.event;

import com.azure.messaging.eventgrid.SystemEventNames;
import dev.skyferry.event.ParsedMessage.Accepted;
import dev.skyferry.event.ParsedMessage.Failed;
import dev.skyferry.event.ParsedMessage.IgnoreCode;
import dev.skyferry.event.ParsedMessage.Ignored;
import dev.skyferry.event.ParsedMessage.Item;
import dev.skyferry.event.ReplicationEvent.EventKind;
import dev.skyferry.store.StoreKind;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Set;

/**
 * Decides what one Azure storage event means for Skyferry: a committed write or a delete to
 * replicate, something to skip (with the reason), or an event that cannot be understood (with
 * what was wrong). Written once for both schemas and both readers.
 */
final class AzureEventMapper {

    /**
     * {@code data.api} values that mean "a blob's content is now committed". CreateFile (HNS) and
     * SftpCreate create an empty placeholder that FlushWithClose / SftpCommit later fill, so they are
     * skipped (azure-docs storage-blob-event-overview: filter to committed writes).
     */
    static final Set<String> COMMITTED_WRITE_APIS =
            Set.of("PutBlob", "PutBlockList", "CopyBlob", "FlushWithClose", "SftpCommit");

    /**
     * The one {@code data.blobType} whose BlobCreated marks its whole content as committed. An append or page
     * blob's BlobCreated is raised when it is made (usually empty); the Append Block and Put Page calls that
     * fill it raise no event (MicrosoftDocs/azure-docs#38958), so a replica made then would never be updated.
     */
    private static final String BLOCK_BLOB = "BlockBlob";

    static final Set<String> DELETE_APIS = Set.of("DeleteBlob", "DeleteFile", "SftpRemove");

    private static final String SUBJECT_PREFIX = "blobServices/default/containers/";
    private static final String BLOBS_SEGMENT = "/blobs/";
    private static final String ACCOUNTS_SEGMENT = "/storageaccounts/";

    /**
     * {@code data.api} values of a BlobRenamed event for one file (directory renames come as
     * DirectoryRenamed, which is not replicated).
     */
    static final Set<String> RENAME_APIS = Set.of("RenameFile", "SftpRename");

    private AzureEventMapper() {}

    /**
     * One item per blob the event touches: a rename touches two.
     *
     * @param where e.g. {@code "event 2"}, prefixed to every reason
     */
    static List<Item> toItems(String where, AzureEventFields event) {
        return SystemEventNames.STORAGE_BLOB_RENAMED.equals(event.type())
                ? renamed(where, event)
                : List.of(toItem(where, event));
    }

    /**
     * A rename on a hierarchical-namespace (ADLS Gen2) or SFTP account. The blob now under the
     * subject's name is replicated as created, and the name it had is handled as deleted, under the
     * rule's delete policy: writers that upload under a temporary name and rename it when done (SFTP
     * clients' {@code .filepart}, Hadoop committers' {@code _temporary/}) raise no BlobCreated for the
     * final name. Neither name carries an ETag: the copy reads what the new name holds when it runs.
     */
    private static List<Item> renamed(String where, AzureEventFields event) {
        if (!event.hasData()) {
            return List.of(new Failed(where + ": data missing", event.id()));
        }
        String api = EventJson.nonBlank(event.api());
        if (api == null) {
            return List.of(new Failed(where + ": data.api missing", event.id()));
        }
        if (!RENAME_APIS.contains(api)) {
            return List.of(new Ignored(IgnoreCode.NOT_A_FILE_RENAME, where + ": data.api " + api
                    + " is not a file rename (BlobRenamed is handled for RenameFile, SftpRename)", event.id()));
        }
        String oldUrl = EventJson.nonBlank(event.renamedFromUrl());
        if (oldUrl == null) {
            return List.of(new Failed(where + ": data.sourceUrl missing (the name before the rename)", event.id()));
        }
        BlobName oldName;
        try {
            oldName = BlobName.ofUrl(oldUrl);
        } catch (IllegalArgumentException e) {
            return List.of(new Failed(where + ": data.sourceUrl " + EventJson.excerpt(oldUrl) + " " + e.getMessage(),
                    event.id()));
        }
        Item created = toEvent(where, event, EventKind.CREATED, api, null, "data.destinationUrl");
        if (!(created instanceof Accepted(ReplicationEvent newName))) {
            return List.of(created);
        }
        ReplicationEvent deleted = new ReplicationEvent(StoreKind.AZURE_BLOB, newName.account(), oldName.container(),
                oldName.name(), EventKind.DELETED, null, null, null, newName.sequencer(), newName.eventTime(),
                newName.eventId(), api, oldUrl, newName.topic());
        return List.of(created, new Accepted(deleted));
    }

    private static Item toItem(String where, AzureEventFields event) {
        String type = EventJson.nonBlank(event.type());
        if (type == null) {
            return new Failed(where + ": event type missing (eventType / type)", event.id());
        }
        EventKind kind;
        if (type.equals(SystemEventNames.STORAGE_BLOB_CREATED)) {
            kind = EventKind.CREATED;
        } else if (type.equals(SystemEventNames.STORAGE_BLOB_DELETED)) {
            kind = EventKind.DELETED;
        } else {
            return new Ignored(IgnoreCode.EVENT_NOT_REPLICATED, where + ": event type " + type + " is not replicated",
                    event.id());
        }
        if (!event.hasData()) {
            return new Failed(where + ": data missing", event.id());
        }
        String api = EventJson.nonBlank(event.api());
        if (api == null) {
            return new Failed(where + ": data.api missing", event.id());
        }
        if (kind == EventKind.CREATED && !COMMITTED_WRITE_APIS.contains(api)) {
            return new Ignored(IgnoreCode.NOT_A_COMMITTED_WRITE, where + ": data.api " + api + " is not a committed write"
                    + " (BlobCreated is replicated for PutBlob, PutBlockList, CopyBlob, FlushWithClose, SftpCommit)", event.id());
        }
        String blobType = EventJson.nonBlank(event.blobType());
        if (kind == EventKind.CREATED && blobType != null && !blobType.equals(BLOCK_BLOB)) {
            return new Ignored(IgnoreCode.APPEND_OR_PAGE_BLOB, where + ": data.blobType " + blobType + " is not replicated:"
                    + " appends and page writes raise no event, so its replica would never be updated; copy it with"
                    + " skyferry backfill", event.id());
        }
        if (kind == EventKind.DELETED && !DELETE_APIS.contains(api)) {
            return new Ignored(IgnoreCode.NOT_A_BLOB_DELETE, where + ": data.api " + api + " is not a blob delete"
                    + " (BlobDeleted is handled for DeleteBlob, DeleteFile, SftpRemove)", event.id());
        }
        String etag = EventJson.unquoteEtag(event.etag());
        if (kind == EventKind.CREATED && etag == null) {
            // The copy reads exactly the version the event names (If-Match on this ETag).
            return new Failed(where + ": data.eTag missing", event.id());
        }
        return toEvent(where, event, kind, api, kind == EventKind.CREATED ? etag : null, "data.url");
    }

    /** The event for the blob the subject names, from the fields every kind shares. */
    private static Item toEvent(String where, AzureEventFields event, EventKind kind, String api, String etag,
                                String urlField) {
        String subject = EventJson.nonBlank(event.subject());
        if (subject == null) {
            return new Failed(where + ": subject missing", event.id());
        }
        int containerStart = subject.startsWith("/") ? 1 : 0; // #40135's sample has no leading slash
        int blobsAt = subject.indexOf(BLOBS_SEGMENT, containerStart + SUBJECT_PREFIX.length());
        if (!subject.startsWith(SUBJECT_PREFIX, containerStart) || blobsAt < 0) {
            return new Failed(where + ": subject " + EventJson.excerpt(subject)
                    + " is not /blobServices/default/containers/<container>/blobs/<name>", event.id());
        }
        String container = subject.substring(containerStart + SUBJECT_PREFIX.length(), blobsAt);
        // The subject is not URL-encoded: the name is everything after /blobs/, slashes, spaces and % included.
        String blobName = subject.substring(blobsAt + BLOBS_SEGMENT.length());
        if (container.isEmpty() || container.contains("/")) {
            return new Failed(where + ": subject " + EventJson.excerpt(subject) + " has no valid container name",
                    event.id());
        }
        if (blobName.isEmpty()) {
            return new Failed(where + ": subject " + EventJson.excerpt(subject) + " has an empty blob name", event.id());
        }

        String topic = EventJson.nonBlank(event.topic());
        if (topic == null) {
            return new Failed(where + ": topic / source missing (it names the storage account)", event.id());
        }
        String account = accountOf(topic);
        if (account == null) {
            return new Failed(where + ": topic " + EventJson.excerpt(topic)
                    + " does not name a storage account (…/storageAccounts/<account>)", event.id());
        }

        String url = EventJson.nonBlank(event.url());
        if (url == null) {
            // Without it the event's origin cannot be checked against the rule's account endpoint.
            return new Failed(where + ": " + urlField + " missing", event.id());
        }
        Long size = event.contentLength();
        if (size != null && size < 0) {
            return new Failed(where + ": data.contentLength is negative: " + size, event.id());
        }
        return new Accepted(new ReplicationEvent(
                StoreKind.AZURE_BLOB,
                account,
                container,
                blobName,
                kind,
                etag,
                kind == EventKind.CREATED ? size : null,
                null,
                EventJson.nonBlank(event.sequencer()),
                event.time(),
                event.id(),
                api,
                url,
                topic));
    }

    /** A container and a blob name, read from a blob's URL (percent-decoded, as a URL path is). */
    private record BlobName(String container, String name) {

        /** @throws IllegalArgumentException naming what is wrong with the URL */
        static BlobName ofUrl(String url) {
            String path;
            try {
                path = new URI(url).getPath();
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("is not a URL (" + e.getReason() + ")");
            }
            int slash = path == null ? -1 : path.indexOf('/', 1);
            if (slash < 0 || slash == path.length() - 1) {
                throw new IllegalArgumentException("is not https://<account>.<host>/<container>/<name>");
            }
            return new BlobName(path.substring(1, slash), path.substring(slash + 1));
        }
    }

    /** The account name after {@code /storageAccounts/} (ARM ids vary in case), or null. */
    static String accountOf(String topic) {
        int at = indexOfIgnoreCase(topic, ACCOUNTS_SEGMENT);
        if (at < 0) {
            return null;
        }
        int start = at + ACCOUNTS_SEGMENT.length();
        int end = topic.indexOf('/', start);
        String account = end < 0 ? topic.substring(start) : topic.substring(start, end);
        return account.isEmpty() ? null : account;
    }

    private static int indexOfIgnoreCase(String text, String lowerCaseNeedle) {
        for (int i = 0; i + lowerCaseNeedle.length() <= text.length(); i++) {
            if (text.regionMatches(true, i, lowerCaseNeedle, 0, lowerCaseNeedle.length())) {
                return i;
            }
        }
        return -1;
    }
}
