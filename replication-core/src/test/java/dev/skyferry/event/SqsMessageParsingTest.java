package dev.skyferry.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyferry.event.ParsedMessage.Accepted;
import dev.skyferry.event.ParsedMessage.Failed;
import dev.skyferry.event.ParsedMessage.IgnoreCode;
import dev.skyferry.event.ParsedMessage.Ignored;
import dev.skyferry.event.ParsedMessage.Item;
import dev.skyferry.event.ReplicationEvent.EventKind;
import dev.skyferry.store.StoreKind;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SqsMessageParsingTest {

    private final EventParser parser = new EventParser();

    private static ReplicationEvent accepted(Item item) {
        assertThat(item).isInstanceOf(Accepted.class);
        return ((Accepted) item).event();
    }

    @Test
    void readsEveryRecordOfADirectNotificationWithFormDecodedKeys() {
        List<Item> items = parser.parseSqsMessage(Samples.read("s3/s3-notification-two-records.json")).items();

        assertThat(items).hasSize(2);
        ReplicationEvent put = accepted(items.get(0));
        assertThat(put.source()).isEqualTo(StoreKind.S3);
        assertThat(put.account()).isNull();
        assertThat(put.container()).isEqualTo("contoso-photos-backup");
        assertThat(put.key()).isEqualTo("incoming/my photo (2).jpg");
        assertThat(put.kind()).isEqualTo(EventKind.CREATED);
        assertThat(put.etag()).isEqualTo("d41d8cd98f00b204e9800998ecf8427e");
        assertThat(put.size()).isEqualTo(1024L);
        assertThat(put.versionId()).isEqualTo("096fKKXTRTtl3on89fVO.nfljtsv6qko");
        assertThat(put.sequencer()).isEqualTo("0055AED6DCD90281E5");
        assertThat(put.eventTime()).isEqualTo(Instant.parse("2024-05-01T12:00:00.123Z"));
        assertThat(put.eventId()).isEqualTo("C3D13FE58DE4C810:0055AED6DCD90281E5");
        assertThat(put.api()).isEqualTo("ObjectCreated:Put");
        assertThat(put.topic()).isEqualTo("arn:aws:s3:::contoso-photos-backup");
        assertThat(put.url()).isNull();

        ReplicationEvent multipart = accepted(items.get(1));
        // %2B is a plus, + a space, %25 a percent sign; the key ends in "/" and stays so.
        assertThat(multipart.key()).isEqualTo("incoming/c++/100% € über/");
        assertThat(multipart.etag()).as("quotes removed, multipart suffix kept").isEqualTo("9b2cf535f27731c974343645a3985328-10");
        assertThat(multipart.versionId()).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            a+b.txt            | a b.txt
            a%2Bb.txt          | a+b.txt
            100%25+done        | 100% done
            %E2%82%AC%2F.txt   | €/.txt
            dir/               | dir/
            plain-key          | plain-key
            """)
    void notificationKeysAreFormDecodedNotUriDecoded(String encoded, String key) {
        assertThat(S3EventParser.decodeNotificationKey(encoded)).isEqualTo(key);
    }

    @Test
    void snsWrappedNotificationParsesLikeTheDirectOne() {
        ParsedMessage direct = parser.parseSqsMessage(Samples.read("s3/s3-notification-two-records.json"));
        ParsedMessage wrapped = parser.parseSqsMessage(Samples.read("s3/sns-wrapped-notification.json"));

        assertThat(wrapped).isEqualTo(direct);
    }

    @Test
    void testEventIsIgnoredDirectlyAndInsideSns() {
        assertThat(parser.parseSqsMessage(Samples.read("s3/s3-test-event.json")).items())
                .containsExactly(new Ignored(IgnoreCode.TEST_EVENT, "s3:TestEvent", "5582815E1AEA5ADF"));
        assertThat(parser.parseSqsMessage(Samples.read("s3/sns-wrapped-test-event.json")).items())
                .containsExactly(new Ignored(IgnoreCode.TEST_EVENT, "s3:TestEvent", "5582815E1AEA5ADF"));
    }

    @Test
    void removalsIncludingDeleteMarkersAreDeletesAndLifecycleExpirationIsIgnored() {
        List<Item> items = parser.parseSqsMessage(Samples.read("s3/s3-notification-removed.json")).items();

        ReplicationEvent marker = accepted(items.get(0));
        assertThat(marker.kind()).isEqualTo(EventKind.DELETED);
        assertThat(marker.api()).isEqualTo("ObjectRemoved:DeleteMarkerCreated");
        assertThat(marker.versionId()).isEqualTo("YqMUIVt8XW7LYTlqlJq3vPmTxh2M2Bp6");
        assertThat(marker.etag()).isNull();
        assertThat(marker.size()).isNull();
        assertThat(accepted(items.get(1)).kind()).isEqualTo(EventKind.DELETED);
        assertThat(items.get(2)).isEqualTo(new Ignored(IgnoreCode.LIFECYCLE_EXPIRATION,
                "record 3: event LifecycleExpiration:Delete is not replicated", "E5F35BA70FA6EA34:0055AED6DCD9028202"));
    }

    @Test
    void readsEventBridgeObjectCreated() {
        ReplicationEvent event = accepted(parser.parseSqsMessage(
                Samples.read("s3/eventbridge-object-created.json")).items().getFirst());

        assertThat(event.container()).isEqualTo("contoso-photos-backup");
        assertThat(event.key()).isEqualTo("incoming/annual report (2024).pdf");
        assertThat(event.kind()).isEqualTo(EventKind.CREATED);
        assertThat(event.size()).isEqualTo(5L);
        assertThat(event.etag()).isEqualTo("b1946ac92492d2347c6235b4d2611184");
        assertThat(event.versionId()).isEqualTo("IYV3p45BT0ac8hjHg1houSdS1a.Mro8e");
        assertThat(event.sequencer()).isEqualTo("617f08299329d189");
        assertThat(event.eventId()).isEqualTo("17793124-05d4-b198-2fde-7ededc63b103");
        assertThat(event.eventTime()).isEqualTo(Instant.parse("2024-05-01T12:10:00Z"));
        assertThat(event.api()).isEqualTo("Object Created:PutObject");
        assertThat(event.topic()).isEqualTo("arn:aws:s3:::contoso-photos-backup");
    }

    @Test
    void eventBridgeDeleteIsADeleteButLifecycleExpirationIsIgnored() {
        ReplicationEvent deleted = accepted(parser.parseSqsMessage(
                Samples.read("s3/eventbridge-object-deleted.json")).items().getFirst());
        assertThat(deleted.kind()).isEqualTo(EventKind.DELETED);
        assertThat(deleted.key()).isEqualTo("incoming/example-key");
        assertThat(deleted.etag()).isNull();

        assertThat(parser.parseSqsMessage(Samples.read("s3/eventbridge-lifecycle-expiration.json")).items())
                .singleElement().isInstanceOfSatisfying(Ignored.class,
                        ignored -> assertThat(ignored.code()).isEqualTo(IgnoreCode.LIFECYCLE_EXPIRATION));
    }

    @Test
    void otherEventBridgeDetailTypesAreIgnored() {
        String restore = Samples.read("s3/eventbridge-object-created.json")
                .replace("\"Object Created\"", "\"Object Restore Completed\"");

        assertThat(parser.parseSqsMessage(restore).items()).containsExactly(new Ignored(IgnoreCode.EVENT_NOT_REPLICATED,
                "EventBridge event: detail-type Object Restore Completed is not replicated",
                "17793124-05d4-b198-2fde-7ededc63b103"));
    }

    @Test
    void brokenRecordsFailOneByOneWithTheFieldAndRecordNamed() {
        List<Item> items = parser.parseSqsMessage(Samples.read("s3/s3-notification-missing-fields.json")).items();

        assertThat(items).hasSize(5);
        assertThat(accepted(items.get(0)).key()).isEqualTo("fine.txt");
        assertThat(items.get(1)).isEqualTo(new Failed("record 2: s3.object.key missing", "F6A46CB81AB7FB02:0055AED6DCD9028301"));
        assertThat(items.get(2)).isEqualTo(new Failed("record 3: s3.bucket.name missing", "F6A46CB81AB7FB03:0055AED6DCD9028302"));
        assertThat(((Failed) items.get(3)).reason())
                .startsWith("record 4: s3.object.key 'bad%escape%zz.txt' is not form-encoded");
        assertThat(items.get(4)).isEqualTo(new Failed("record 5: eventName missing", "F6A46CB81AB7FB05:0055AED6DCD9028304"));
    }

    @Test
    void snsMessageThatIsNotJsonFailsNamingTheEnvelope() {
        String envelope = """
                {"Type":"Notification","MessageId":"m-1","TopicArn":"arn:aws:sns:eu-west-1:123456789012:t",
                 "Message":"{\\"Records\\":[{\\"eventName\\":"}""";

        Item item = parser.parseSqsMessage(envelope).items().getFirst();

        assertThat(((Failed) item).reason()).startsWith("SNS Message is not valid JSON: ");
    }

    @Test
    void snsSubscriptionConfirmationIsIgnored() {
        String confirmation = """
                {"Type":"SubscriptionConfirmation","MessageId":"m-2","TopicArn":"arn:aws:sns:eu-west-1:123456789012:t",
                 "Token":"2336412f37","Message":"You have chosen to subscribe"}""";

        assertThat(parser.parseSqsMessage(confirmation).items())
                .containsExactly(new Ignored(IgnoreCode.SNS_HOUSEKEEPING, "SNS SubscriptionConfirmation message", "m-2"));
    }

    @Test
    void truncatedBodyFailsWithLineAndColumn() {
        String full = Samples.read("s3/s3-notification-two-records.json");

        Item item = parser.parseSqsMessage(full.substring(0, 300)).items().getFirst();

        assertThat(((Failed) item).reason()).startsWith("message body is not valid JSON: ").contains("line ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "null", "42", "[]", "\"Records\"", "{}", "{\"Records\":\"x\"}", "{\"foo\":1}"})
    void bodiesThatAreNotNotificationsFailWithAReason(String body) {
        assertThat(parser.parseSqsMessage(body).items()).singleElement()
                .isInstanceOfSatisfying(Failed.class, failed -> assertThat(failed.reason()).isNotBlank());
    }
}
