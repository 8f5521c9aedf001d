package dev.skyferry.app.bench.jmh;

import dev.skyferry.event.EventParser;
import dev.skyferry.event.ParsedMessage;
import dev.skyferry.event.SyntheticEvents;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One queue message's text to events, in each shape the worker receives: the parsing the worker does
 * once per message before anything else. The samples are the test suite's real-shaped events
 * (replication-core's src/test/resources/events), and the S3 notification the bench itself sends.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EventParsingBenchmark {

    private final EventParser parser = new EventParser();
    private String eventGridBase64;
    private String eventGridJson;
    private String s3Notification;
    private String snsWrappedNotification;
    private String eventBridgeEvent;

    @Setup
    public void loadSamples() {
        eventGridJson = sample("/events/azure/eventgrid-blobcreated-putblob.json");
        // Event Grid's Storage Queue handler writes each event base64-encoded.
        eventGridBase64 = Base64.getEncoder().encodeToString(eventGridJson.getBytes(StandardCharsets.UTF_8));
        s3Notification = SyntheticEvents.s3ObjectCreated("eu-west-1", "photos",
                "2024/holiday pics/IMG 0001.jpg", 16_384, "\"9b2cf535f27731c974343645a3985328\"", null,
                "0062E9E8A0F9F4C8B1", Instant.parse("2026-11-24T10:00:00Z"));
        snsWrappedNotification = sample("/events/s3/sns-wrapped-notification.json");
        eventBridgeEvent = sample("/events/s3/eventbridge-object-created.json");
        for (String sqsBody : new String[] {s3Notification, snsWrappedNotification, eventBridgeEvent}) {
            requireAccepted(parser.parseSqsMessage(sqsBody), sqsBody);
        }
        requireAccepted(parser.parseAzureQueueMessage(eventGridBase64), eventGridBase64);
        requireAccepted(parser.parseAzureQueueMessage(eventGridJson), eventGridJson);
    }

    @Benchmark
    public ParsedMessage eventGridBase64() {
        return parser.parseAzureQueueMessage(eventGridBase64);
    }

    @Benchmark
    public ParsedMessage eventGridJson() {
        return parser.parseAzureQueueMessage(eventGridJson);
    }

    @Benchmark
    public ParsedMessage s3Notification() {
        return parser.parseSqsMessage(s3Notification);
    }

    @Benchmark
    public ParsedMessage s3NotificationInSnsEnvelope() {
        return parser.parseSqsMessage(snsWrappedNotification);
    }

    @Benchmark
    public ParsedMessage eventBridgeObjectCreated() {
        return parser.parseSqsMessage(eventBridgeEvent);
    }

    /** A benchmark of a message that fails to parse would measure the error path, not the one that matters. */
    private static void requireAccepted(ParsedMessage parsed, String text) {
        if (!parsed.items().stream().allMatch(item -> item instanceof ParsedMessage.Accepted)) {
            throw new IllegalStateException("sample yields no event: " + parsed + "\n" + text);
        }
    }

    private static String sample(String resource) {
        try (InputStream in = EventParsingBenchmark.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path (replication-core's test jar)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
