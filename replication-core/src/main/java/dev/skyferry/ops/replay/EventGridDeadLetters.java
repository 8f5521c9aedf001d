package dev.skyferry.ops.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyferry.ops.replay.DeadLetter.Origin.EventGridBlobEvent;
import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.ObjectStore.OpenObject;
import dev.skyferry.store.ObjectStore.WriteSpec;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Event Grid dead-letter container: blobs {@code <SUBSCRIPTION>/Y/M/D/H/<guid>.json}, each a JSON
 * array of the undelivered events plus Event Grid's delivery facts
 * (azure-docs {@code manage-event-delivery}, {@code delivery-and-retry}).
 *
 * <p>Each array element becomes one {@link DeadLetter} whose body is the event with the delivery
 * facts removed, as Event Grid puts it on a storage queue: one event per message, base64-encoded
 * JSON (MicrosoftDocs/azure-docs#102923). After the batch of one blob is settled the blob is deleted
 * when every event went back, or rewritten with only the events that stayed (conditional on its ETag
 * both times, so a concurrent change is never overwritten). A crash in between re-sends, never loses.
 */
public final class EventGridDeadLetters implements DeadLetterSource {

    private static final Logger LOG = LoggerFactory.getLogger(EventGridDeadLetters.class);

    /** What Event Grid adds to a dead-lettered event; none of it was in the delivered event. */
    static final List<String> DELIVERY_FACTS = List.of("deadLetterReason", "deliveryAttempts",
            "lastDeliveryOutcome", "lastHttpStatusCode", "publishTime", "lastDeliveryAttemptTime");

    static final int LIST_PAGE_SIZE = 500;

    private static final ObjectMapper JSON = new ObjectMapper()
            // Numbers go back exactly as written (contentLength beyond 2^53, decimals in data).
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final ObjectStore container;
    private final String prefix;
    private final Deque<ObjectInfo> listed = new ArrayDeque<>();
    private String continuation;
    private boolean listingDone;
    private Current current;

    /**
     * @param container    the dead-letter container
     * @param subscription the event subscription's name, or null for every subscription's blobs;
     *                     Event Grid writes it upper case, so it is matched upper case
     */
    public EventGridDeadLetters(ObjectStore container, String subscription) {
        this.container = container;
        this.prefix = subscription == null || subscription.isBlank() ? "" : subscription.toUpperCase(Locale.ROOT) + "/";
    }

    @Override
    public String describe() {
        return "event-grid dead letters azure://" + container.account() + "/" + container.container() + "/" + prefix;
    }

    @Override
    public OptionalLong approximateCount() {
        return OptionalLong.empty(); // counting means reading every blob
    }

    @Override
    public Batch next() {
        if (current != null) {
            throw new IllegalStateException("batchDone() was not called for " + current.blob.key());
        }
        while (true) {
            ObjectInfo blob = nextBlob();
            if (blob == null) {
                return Batch.EMPTY;
            }
            Batch batch = read(blob);
            if (!batch.isEmpty()) {
                return batch;
            }
        }
    }

    private ObjectInfo nextBlob() {
        while (listed.isEmpty() && !listingDone) {
            ObjectStore.ListPage page = container.list(prefix, continuation, LIST_PAGE_SIZE);
            listed.addAll(page.objects());
            continuation = page.continuation();
            listingDone = continuation == null;
        }
        return listed.poll();
    }

    private Batch read(ObjectInfo listedBlob) {
        String name = listedBlob.key();
        byte[] bytes;
        String etag;
        try (OpenObject open = container.open(name, null, Precondition.NONE)) {
            bytes = open.content().readAllBytes();
            etag = open.info().etag();
        } catch (IOException e) {
            throw new UncheckedIOException("reading dead-letter blob " + name, e);
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.NOT_FOUND) {
                return Batch.EMPTY; // replayed by someone else since it was listed
            }
            throw e;
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            return unreadable(name, "not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("parsing dead-letter blob " + name, e);
        }
        if (root == null || !root.isArray()) {
            return unreadable(name, "not a JSON array of events");
        }
        ArrayNode events = (ArrayNode) root;
        List<DeadLetter> letters = new ArrayList<>();
        List<Unreadable> unreadable = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            JsonNode element = events.get(i);
            String id = name + "#" + i;
            if (!element.isObject()) {
                unreadable.add(new Unreadable(id, "array element is not a JSON object"));
                continue;
            }
            letters.add(new DeadLetter(id, deliveredForm((ObjectNode) element), facts((ObjectNode) element),
                    new EventGridBlobEvent(name, i)));
        }
        current = new Current(listedBlob, etag, events, new BitSet(events.size()));
        return new Batch(letters, unreadable);
    }

    private Batch unreadable(String name, String reason) {
        return new Batch(List.of(), List.of(new Unreadable(name, reason)));
    }

    /** The event as Event Grid delivers it to a storage queue: facts removed, JSON, base64. */
    static String deliveredForm(ObjectNode deadLettered) {
        ObjectNode event = deadLettered.deepCopy();
        event.remove(DELIVERY_FACTS);
        try {
            byte[] json = JSON.writeValueAsBytes(event);
            return Base64.getEncoder().encodeToString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree always serializes", e);
        }
    }

    private static DeadLetterFacts facts(ObjectNode event) {
        String outcome = text(event, "lastDeliveryOutcome");
        JsonNode status = event.get("lastHttpStatusCode");
        String detail = outcome == null ? null
                : "last delivery outcome " + outcome + (status == null || status.isNull() ? "" : " (HTTP " + status.asText() + ")");
        JsonNode attempts = event.get("deliveryAttempts");
        Instant lastAttempt = time(text(event, "lastDeliveryAttemptTime"));
        return new DeadLetterFacts(
                text(event, "deadLetterReason"),
                detail,
                attempts != null && attempts.canConvertToInt() ? attempts.intValue() : null,
                time(text(event, "publishTime")),
                lastAttempt != null ? lastAttempt : time(text(event, "publishTime")));
    }

    @Override
    public void remove(DeadLetter letter) {
        EventGridBlobEvent origin = origin(letter);
        current.removed.set(origin.index());
    }

    @Override
    public void keep(DeadLetter letter) {
        origin(letter); // checks it belongs to the current blob; kept is the default
    }

    private EventGridBlobEvent origin(DeadLetter letter) {
        EventGridBlobEvent origin = (EventGridBlobEvent) letter.origin();
        if (current == null || !current.blob.key().equals(origin.blobName())) {
            throw new IllegalStateException(letter.id() + " is not from the blob being replayed");
        }
        return origin;
    }

    /**
     * Deletes the blob when every event went back; otherwise rewrites it with the events that stayed,
     * untouched (their delivery facts included), so a second run neither repeats nor loses any.
     */
    @Override
    public void batchDone() {
        Current blob = current;
        current = null;
        if (blob == null || blob.removed.isEmpty()) {
            return;
        }
        Precondition unchanged = Precondition.ifMatch(blob.etag);
        try {
            if (blob.removed.cardinality() == blob.events.size()) {
                container.delete(blob.blob.key(), unchanged);
                return;
            }
            ArrayNode remaining = JSON.createArrayNode();
            for (int i = 0; i < blob.events.size(); i++) {
                if (!blob.removed.get(i)) {
                    remaining.add(blob.events.get(i));
                }
            }
            byte[] bytes = JSON.writeValueAsBytes(remaining);
            ObjectAttributes attributes = new ObjectAttributes("application/json", null, null, null, null, null, null);
            container.put(blob.blob.key(), ByteBuffer.wrap(bytes),
                    new WriteSpec(attributes, bytes.length, md5(bytes), ObjectStore.TargetOptions.DEFAULTS), unchanged);
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.PRECONDITION_FAILED || e.kind() == StoreException.Kind.NOT_FOUND) {
                // Someone else changed or replayed the blob meanwhile: leaving it is safe (a later run
                // may send some events twice), overwriting it could lose theirs.
                LOG.warn("Dead-letter blob {} changed during replay; left as it is: {}", blob.blob.key(), e.getMessage());
                throw new BlobChangedException(blob.blob.key(), e);
            }
            throw e;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree always serializes", e);
        }
    }

    @Override
    public void close() {
        current = null;
    }

    /** The blob changed between read and settle: its replayed events stay in it and will go back again. */
    public static final class BlobChangedException extends RuntimeException {
        BlobChangedException(String blob, Throwable cause) {
            super("dead-letter blob " + blob + " changed during replay; its replayed events were left in it "
                    + "and will be sent again by the next run", cause);
        }
    }

    private record Current(ObjectInfo blob, String etag, ArrayNode events, BitSet removed) {}

    private static String text(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Instant time(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException notUtc) {
            try {
                return OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException e) {
                return null;
            }
        }
    }

    private static byte[] md5(byte[] bytes) {
        try {
            return MessageDigest.getInstance("MD5").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has MD5", e);
        }
    }
}
