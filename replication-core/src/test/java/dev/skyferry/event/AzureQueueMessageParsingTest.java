package dev.skyferry.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyferry.event.ParsedMessage.Accepted;
import dev.skyferry.event.ParsedMessage.Failed;
import dev.skyferry.event.ParsedMessage.IgnoreCode;
import dev.skyferry.event.ParsedMessage.Ignored;
import dev.skyferry.event.ParsedMessage.Item;
import dev.skyferry.event.ReplicationEvent.EventKind;
import dev.skyferry.store.StoreKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class AzureQueueMessageParsingTest {

    private final EventParser parser = new EventParser();

    private static ReplicationEvent accepted(Item item) {
        assertThat(item).isInstanceOf(Accepted.class);
        return ((Accepted) item).event();
    }

    @Test
    void readsEventGridBlobCreatedWithUnencodedSubjectQuotedEtagAndSevenDigitFraction() {
        ParsedMessage message = parser.parseAzureQueueMessage(Samples.read("azure/eventgrid-blobcreated-putblob.json"));

        assertThat(message.items()).hasSize(1);
        ReplicationEvent event = accepted(message.items().getFirst());
        assertThat(event.source()).isEqualTo(StoreKind.AZURE_BLOB);
        assertThat(event.account()).isEqualTo("contosobackup");
        assertThat(event.container()).isEqualTo("photos");
        assertThat(event.key()).isEqualTo("2024/holiday pics/Ünïcødé 100% #1.jpg");
        assertThat(event.kind()).isEqualTo(EventKind.CREATED);
        assertThat(event.etag()).isEqualTo("0x8D4BCC2E4835CD0");
        assertThat(event.size()).isEqualTo(524288L);
        assertThat(event.sequencer()).isEqualTo("00000000000004420000000000028963");
        assertThat(event.eventTime()).isEqualTo(Instant.parse("2024-05-01T12:34:56.1234567Z"));
        assertThat(event.eventId()).isEqualTo("831e1650-001e-001b-66ab-eeb76e069631");
        assertThat(event.api()).isEqualTo("PutBlob");
        assertThat(event.url()).startsWith("https://contosobackup.blob.core.windows.net/photos/2024/holiday%20pics/");
        assertThat(event.topic()).endsWith("/storageAccounts/contosobackup");
        assertThat(event.versionId()).isNull();
    }

    @Test
    void base64AndRawJsonOfTheSameMessageParseAlike() {
        for (String sample : List.of("azure/eventgrid-blobcreated-putblob.json", "azure/eventgrid-array-mixed.json",
                "azure/cloudevents-blobcreated.json", "azure/eventgrid-missing-fields.json")) {
            assertThat(parser.parseAzureQueueMessage(Samples.base64(sample)))
                    .as(sample)
                    .isEqualTo(parser.parseAzureQueueMessage(Samples.read(sample)));
        }
    }

    @Test
    void base64WithByteOrderMarkAndSurroundingWhitespaceIsDecoded() {
        String json = "\uFEFF  " + Samples.read("azure/eventgrid-blobcreated-putblob.json");
        String encoded = "\n " + Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)) + " \n";

        assertThat(accepted(parser.parseAzureQueueMessage(encoded).items().getFirst()).key())
                .isEqualTo("2024/holiday pics/Ünïcødé 100% #1.jpg");
    }

    @Test
    void arrayYieldsOneItemPerEventInOrder() {
        List<Item> items = parser.parseAzureQueueMessage(Samples.read("azure/eventgrid-array-mixed.json")).items();

        assertThat(items).hasSize(5); // the rename touches two names
        ReplicationEvent created = accepted(items.get(0));
        assertThat(created.key()).isEqualTo("big/video.mp4");
        assertThat(created.etag()).isEqualTo("0x8D4BCC2E4835CD1");
        assertThat(created.api()).isEqualTo("PutBlockList");
        ReplicationEvent deleted = accepted(items.get(1));
        assertThat(deleted.kind()).isEqualTo(EventKind.DELETED);
        assertThat(deleted.key()).isEqualTo("old/gone.txt");
        assertThat(deleted.etag()).isNull();
        assertThat(deleted.size()).isNull();
        assertThat(items.get(2)).isEqualTo(new Ignored(IgnoreCode.EVENT_NOT_REPLICATED,
                "event 3: event type Microsoft.Storage.BlobTierChanged is not replicated",
                "aaaa0003-001e-001b-66ab-eeb76e069631"));
        assertThat(accepted(items.get(3)).key()).isEqualTo("new-name.txt");
        assertThat(accepted(items.get(4)).key()).isEqualTo("old-name.txt");
    }

    @Test
    void aFileRenameIsTheNewNameCreatedAndTheOldNameDeleted() {
        String renamed = """
                {"topic": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/contosobackup",
                 "subject": "/blobServices/default/containers/uploads/blobs/in/report 1.csv",
                 "eventType": "Microsoft.Storage.BlobRenamed", "id": "r-1", "eventTime": "2024-05-01T12:37:00Z",
                 "dataVersion": "", "metadataVersion": "1",
                 "data": {"api": "SftpRename", "sequencer": "00000000000001bb000000000001a2b3",
                   "sourceUrl": "https://contosobackup.blob.core.windows.net/uploads/in/report%201.csv.filepart",
                   "destinationUrl": "https://contosobackup.blob.core.windows.net/uploads/in/report%201.csv"}}""";

        for (String message : List.of(renamed, Base64.getEncoder().encodeToString(renamed.getBytes(StandardCharsets.UTF_8)))) {
            List<Item> items = parser.parseAzureQueueMessage(message).items();

            assertThat(items).hasSize(2);
            ReplicationEvent created = accepted(items.get(0));
            assertThat(created.kind()).isEqualTo(EventKind.CREATED);
            assertThat(created.container()).isEqualTo("uploads");
            assertThat(created.key()).isEqualTo("in/report 1.csv");
            assertThat(created.etag()).as("a rename names no ETag").isNull();
            assertThat(created.url()).isEqualTo("https://contosobackup.blob.core.windows.net/uploads/in/report%201.csv");
            ReplicationEvent deleted = accepted(items.get(1));
            assertThat(deleted.kind()).isEqualTo(EventKind.DELETED);
            assertThat(deleted.account()).isEqualTo("contosobackup");
            assertThat(deleted.container()).isEqualTo("uploads");
            assertThat(deleted.key()).isEqualTo("in/report 1.csv.filepart");
            assertThat(deleted.url()).endsWith("/uploads/in/report%201.csv.filepart");
            assertThat(deleted.sequencer()).isEqualTo(created.sequencer()).isEqualTo("00000000000001bb000000000001a2b3");
        }
    }

    @Test
    void aRenameWithoutItsOldNameOrOfAnotherKindIsNotGuessedAt() {
        String renamed = """
                {"topic": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/contosobackup",
                 "subject": "/blobServices/default/containers/uploads/blobs/a.csv",
                 "eventType": "Microsoft.Storage.BlobRenamed", "id": "r-2", "eventTime": "2024-05-01T12:37:00Z",
                 "dataVersion": "", "metadataVersion": "1",
                 "data": {"api": "%s", %s "destinationUrl": "https://contosobackup.dfs.core.windows.net/uploads/a.csv"}}""";

        assertThat(parser.parseAzureQueueMessage(renamed.formatted("RenameFile", "")).items())
                .containsExactly(new Failed("event 1: data.sourceUrl missing (the name before the rename)", "r-2"));
        assertThat(parser.parseAzureQueueMessage(renamed.formatted("RenameFile",
                "\"sourceUrl\": \"https://contosobackup.dfs.core.windows.net/uploads\",")).items())
                .singleElement().isInstanceOf(Failed.class);
        assertThat(parser.parseAzureQueueMessage(renamed.formatted("RenameDirectory",
                "\"sourceUrl\": \"https://contosobackup.dfs.core.windows.net/uploads/b\",")).items())
                .singleElement().isInstanceOfSatisfying(Ignored.class, i -> assertThat(i.reason()).contains("not a file rename"));
    }

    @Test
    void readsCloudEventsSchemaWithOrWithoutLeadingSlashInSubject() {
        List<Item> items = parser.parseAzureQueueMessage(Samples.read("azure/cloudevents-blobcreated.json")).items();

        ReplicationEvent created = accepted(items.get(0));
        assertThat(created.account()).isEqualTo("contosobackup");
        assertThat(created.container()).isEqualTo("photos");
        assertThat(created.key()).isEqualTo("reports/q1.csv");
        assertThat(created.etag()).isEqualTo("0x8D76C39E4407333");
        assertThat(created.size()).isEqualTo(30699L);
        assertThat(created.eventTime()).isEqualTo(Instant.parse("2019-11-18T15:13:39.4589254Z"));
        assertThat(created.eventId()).isEqualTo("9aeb0fdf-c01e-0131-0922-9eb54906e209");
        ReplicationEvent deleted = accepted(items.get(1));
        assertThat(deleted.kind()).isEqualTo(EventKind.DELETED);
        assertThat(deleted.key()).isEqualTo("reports/q0.csv");
    }

    @Test
    void hnsCreateFileIsSkippedAndFlushWithCloseOnDfsUrlIsAccepted() {
        List<Item> items = parser.parseAzureQueueMessage(
                Samples.read("azure/eventgrid-hns-createfile-flushwithclose.json")).items();

        assertThat(items.get(0)).isInstanceOfSatisfying(Ignored.class, ignored -> {
            assertThat(ignored.code()).isEqualTo(IgnoreCode.NOT_A_COMMITTED_WRITE);
            assertThat(ignored.reason()).startsWith("event 1: data.api CreateFile is not a committed write");
        });
        ReplicationEvent flushed = accepted(items.get(1));
        assertThat(flushed.api()).isEqualTo("FlushWithClose");
        assertThat(flushed.account()).isEqualTo("contosolake");
        assertThat(flushed.key()).isEqualTo("landing/2024/05/01/data.parquet");
        assertThat(flushed.size()).isEqualTo(4096L);
        assertThat(flushed.url()).startsWith("https://contosolake.dfs.core.windows.net/");
    }

    @Test
    void sftpCreateIsSkippedWhileSftpCommitAndSftpRemoveAreAccepted() {
        List<Item> items = parser.parseAzureQueueMessage(
                Samples.read("azure/eventgrid-sftp-create-commit-remove.json")).items();

        assertThat(((Ignored) items.get(0)).reason()).contains("SftpCreate is not a committed write");
        assertThat(accepted(items.get(1)).key()).isEqualTo("partner a/order 17.xml");
        ReplicationEvent removed = accepted(items.get(2));
        assertThat(removed.kind()).isEqualTo(EventKind.DELETED);
        assertThat(removed.api()).isEqualTo("SftpRemove");
    }

    @ParameterizedTest
    @ValueSource(strings = {"AppendBlob", "PageBlob"})
    void appendAndPageBlobCreationsAreIgnoredAsTheirLaterWritesRaiseNoEvent(String blobType) {
        String message = Samples.read("azure/eventgrid-blobcreated-putblob.json")
                .replace("\"BlockBlob\"", "\"" + blobType + "\"");

        // The SDK reads this message; the Jackson reader, used when the SDK rejects one, must agree.
        for (ParsedMessage parsed : List.of(parser.parseAzureQueueMessage(message), AzureEventParser.readWithJackson(message))) {
            assertThat(parsed.items()).singleElement().isInstanceOfSatisfying(Ignored.class, ignored -> {
                assertThat(ignored.code()).isEqualTo(IgnoreCode.APPEND_OR_PAGE_BLOB);
                assertThat(ignored.code().label()).isEqualTo("append-or-page-blob");
                assertThat(ignored.reason()).startsWith("event 1: data.blobType " + blobType + " is not replicated")
                        .contains("skyferry backfill");
            });
        }
    }

    @Test
    void blobCreatedWithoutABlobTypeIsStillACommittedWrite() {
        String message = Samples.read("azure/eventgrid-blobcreated-putblob.json").replace("\"blobType\": \"BlockBlob\",", "");
        assertThat(message).doesNotContain("blobType");

        assertThat(accepted(parser.parseAzureQueueMessage(message).items().getFirst()).api()).isEqualTo("PutBlob");
        assertThat(accepted(AzureEventParser.readWithJackson(message).items().getFirst()).api()).isEqualTo("PutBlob");
    }

    @Test
    void blobNameEndingInSlashIsKept() {
        ReplicationEvent event = accepted(parser.parseAzureQueueMessage(
                Samples.read("azure/eventgrid-trailing-slash-and-quoted-etag.json")).items().getFirst());

        assertThat(event.key()).isEqualTo("folder marker/");
        assertThat(event.etag()).isEqualTo("0x8D4BCC2E4835CD6");
        assertThat(event.size()).isZero();
    }

    @Test
    void eachBrokenEventInAnArrayGetsItsOwnPreciseReasonAndTheGoodOneSurvives() {
        // The SDK rejects this whole array (no dataVersion); the Jackson reader takes it apart event by event.
        List<Item> items = parser.parseAzureQueueMessage(Samples.read("azure/eventgrid-missing-fields.json")).items();

        assertThat(items).hasSize(5);
        ReplicationEvent ok = accepted(items.get(0));
        assertThat(ok.key()).isEqualTo("ok.txt");
        assertThat(ok.eventTime()).as("no offset: read as UTC").isEqualTo(Instant.parse("2024-05-01T12:00:00.1234567Z"));
        assertThat(items.get(1)).isEqualTo(new Failed("event 2: subject missing", "dddd0002"));
        assertThat(items.get(2)).isEqualTo(new Failed("event 3: data.api missing", "dddd0003"));
        assertThat(items.get(3)).isEqualTo(new Failed(
                "event 4: data.contentLength is not a whole number: \"three\"", "dddd0004"));
        assertThat(items.get(4)).isEqualTo(new Failed("event 5: not a JSON object", null));
    }

    static Stream<Arguments> brokenEvents() {
        String good = Samples.read("azure/eventgrid-blobcreated-putblob.json");
        return Stream.of(
                Arguments.of(good.replace("\"eventType\": \"Microsoft.Storage.BlobCreated\",", ""),
                        "event 1: event type missing (eventType / type)"),
                Arguments.of(good.replace("\"subject\": \"/blobServices/default/containers/photos/blobs/",
                                "\"subject\": \"/blobServices/default/shares/photos/files/"),
                        "is not /blobServices/default/containers/<container>/blobs/<name>"),
                Arguments.of(good.replace("containers/photos/blobs/2024/holiday pics/Ünïcødé 100% #1.jpg",
                        "containers/photos/blobs/"), "has an empty blob name"),
                Arguments.of(good.replace("/providers/Microsoft.Storage/storageAccounts/contosobackup",
                        "/providers/Microsoft.Web/sites/contoso"), "does not name a storage account"),
                Arguments.of(good.replace("\"url\": \"https://contosobackup.blob.core.windows.net/photos/2024/holiday%20pics/"
                        + "%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20100%25%20%231.jpg\",", ""), "event 1: data.url missing"),
                Arguments.of(good.replace("\"eTag\": \"\\\"0x8D4BCC2E4835CD0\\\"\",", ""), "event 1: data.eTag missing"));
    }

    @ParameterizedTest
    @MethodSource("brokenEvents")
    void missingOrMalformedFieldsFailWithTheFieldNamed(String message, String expectedReason) {
        assertThat(message).isNotEqualTo(Samples.read("azure/eventgrid-blobcreated-putblob.json"));

        List<Item> items = parser.parseAzureQueueMessage(message).items();

        assertThat(items).hasSize(1);
        assertThat(items.getFirst()).isInstanceOf(Failed.class);
        assertThat(((Failed) items.getFirst()).reason()).contains(expectedReason);
    }

    @Test
    void unknownBlobCreatedApiIsIgnoredWithItsName() {
        String message = Samples.read("azure/eventgrid-blobcreated-putblob.json").replace("\"PutBlob\"", "\"PutBlobFromFuture\"");

        Item item = parser.parseAzureQueueMessage(message).items().getFirst();

        assertThat(((Ignored) item).reason()).startsWith("event 1: data.api PutBlobFromFuture is not a committed write");
    }

    @Test
    void missingOrUnreadableEventTimeDoesNotCostTheEvent() {
        String message = Samples.read("azure/eventgrid-blobcreated-putblob.json")
                .replace("2024-05-01T12:34:56.1234567Z", "yesterday at noon");

        ReplicationEvent event = accepted(parser.parseAzureQueueMessage(message).items().getFirst());

        assertThat(event.eventTime()).isNull();
        assertThat(event.key()).isEqualTo("2024/holiday pics/Ünïcødé 100% #1.jpg");
    }

    @Test
    void truncatedJsonFailsWithLineAndColumn() {
        String full = Samples.read("azure/eventgrid-array-mixed.json");

        ParsedMessage message = parser.parseAzureQueueMessage(full.substring(0, full.length() / 2));

        assertThat(message.items()).singleElement().isInstanceOfSatisfying(Failed.class, failed ->
                assertThat(failed.reason()).startsWith("message is not valid JSON: ").contains("line ").contains("column "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "hello world", "not base64 !!", "aGVsbG8gd29ybGQ=", "//79/w=="})
    void garbageFailsWithAReasonInsteadOfThrowing(String text) {
        ParsedMessage message = parser.parseAzureQueueMessage(text);

        assertThat(message.items()).singleElement().isInstanceOfSatisfying(Failed.class, failed ->
                assertThat(failed.reason()).isNotBlank());
    }

    @Test
    void base64OfNonJsonSaysSo() {
        ParsedMessage message = parser.parseAzureQueueMessage("aGVsbG8gd29ybGQ="); // "hello world"

        assertThat(message).isEqualTo(ParsedMessage.failed("base64-decoded message is not JSON: 'hello world'"));
    }

    @Test
    void nullAndEmptyArrayFailCleanly() {
        assertThat(parser.parseAzureQueueMessage(null)).isEqualTo(ParsedMessage.failed("message has no text"));
        assertThat(parser.parseAzureQueueMessage("[]"))
                .isEqualTo(ParsedMessage.failed("message holds no events (empty array)"));
        assertThat(parser.parseAzureQueueMessage("[1, 2]").items())
                .containsExactly(new Failed("event 1: not a JSON object", null), new Failed("event 2: not a JSON object", null));
    }

    @Test
    void sdkAndJacksonReadersAgreeOnEveryWellFormedSample() {
        for (String sample : List.of("azure/eventgrid-blobcreated-putblob.json", "azure/eventgrid-array-mixed.json",
                "azure/cloudevents-blobcreated.json", "azure/eventgrid-hns-createfile-flushwithclose.json",
                "azure/eventgrid-sftp-create-commit-remove.json", "azure/eventgrid-trailing-slash-and-quoted-etag.json")) {
            String json = Samples.read(sample);
            List<AzureEventFields> viaSdk = AzureEventParser.readWithSdk(json);
            ParsedMessage viaJackson = AzureEventParser.readWithJackson(json);

            List<Item> sdkItems = new ArrayList<>();
            for (int i = 0; i < viaSdk.size(); i++) {
                sdkItems.addAll(AzureEventMapper.toItems("event " + (i + 1), viaSdk.get(i)));
            }
            assertThat(sdkItems).as(sample).isEqualTo(viaJackson.items());
        }
    }
}
