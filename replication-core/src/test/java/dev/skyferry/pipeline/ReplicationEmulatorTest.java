package dev.skyferry.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.common.StorageSharedKeyCredential;
import dev.skyferry.ack.Outcome;
import dev.skyferry.copy.BufferBudget;
import dev.skyferry.copy.CopySettings;
import dev.skyferry.copy.CopySettings.S3ToAzureMode;
import dev.skyferry.event.EventParser;
import dev.skyferry.event.ParsedMessage;
import dev.skyferry.event.ReplicationEvent;
import dev.skyferry.event.SyntheticEvents;
import dev.skyferry.plan.Provenance;
import dev.skyferry.plan.ReasonCodes;
import dev.skyferry.rule.ReplicationRule;
import dev.skyferry.rule.ReplicationRule.DeletePolicy;
import dev.skyferry.rule.ReplicationRule.Direction;
import dev.skyferry.rule.ReplicationRule.InvalidMetadataPolicy;
import dev.skyferry.rule.ReplicationRule.KeyFilter;
import dev.skyferry.rule.RuleSet;
import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.ObjectStore.MultipartWrite;
import dev.skyferry.store.ObjectStore.OpenObject;
import dev.skyferry.store.ObjectStore.TargetOptions;
import dev.skyferry.store.ObjectStore.WriteSpec;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.StoreKind;
import dev.skyferry.store.azure.AzureBlobClients;
import dev.skyferry.store.azure.AzureBlobStore;
import dev.skyferry.store.s3.S3ClientOptions;
import dev.skyferry.store.s3.S3Clients;
import dev.skyferry.store.s3.S3Store;
import dev.skyferry.testkit.EmulatorExtension;
import dev.skyferry.testkit.Emulators;
import dev.skyferry.verify.Checksums;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The engine end to end on the emulators (Azurite ⇄ S3Proxy), in both directions: events as the
 * clouds deliver them, through the real parser, rule set, stores, copier and verifier.
 *
 * <p>Emulator limits shape a few expectations, each noted where it applies: Azurite cannot copy from
 * a URL, so S3 → Azure in {@code auto} mode always falls back to streaming here; S3Proxy checks a
 * PutObject's If-None-Match / If-Match (with a look of its own, not atomically) but stores no tags, so
 * truly racing writers and tag copies are covered by the in-memory tests and real clouds.
 */
@ExtendWith(EmulatorExtension.class)
class ReplicationEmulatorTest {

    /** S3's smallest part (other than the last); S3Proxy enforces it. */
    private static final int PART = 5 * 1024 * 1024;
    private static final long BUDGET = 8L * PART;

    enum Way {
        AZURE_TO_S3, S3_TO_AZURE;

        StoreKind sourceKind() {
            return this == AZURE_TO_S3 ? StoreKind.AZURE_BLOB : StoreKind.S3;
        }
    }

    private final Emulators emulators;
    private final EventParser parser = new EventParser();
    private final AtomicLong sequencer = new AtomicLong(0x1000);
    private final List<String> fallbacks = new CopyOnWriteArrayList<>();
    private final BufferBudget budget = new BufferBudget(BUDGET, PART);
    private String name;
    private AzureBlobStore azure;
    private S3Store s3;
    private S3ClientOptions s3Options;

    ReplicationEmulatorTest(Emulators emulators) {
        this.emulators = emulators;
    }

    @BeforeEach
    void freshContainerAndBucket() {
        name = Emulators.freshName("engine");
        BlobContainerClient container = AzureBlobClients.container(emulators.blobEndpoint(), name,
                new StorageSharedKeyCredential(emulators.azureAccount(), emulators.azureAccountKey()));
        container.create();
        azure = new AzureBlobStore(container);
        emulators.s3Client().createBucket(b -> b.bucket(name));
        s3Options = S3ClientOptions.compatible(emulators.awsRegion(), emulators.s3Endpoint(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create(emulators.awsAccessKeyId(),
                        emulators.awsSecretAccessKey())));
        s3 = new S3Store(S3Clients.client(s3Options), S3Clients.presigner(s3Options), name);
    }

    // ---------------------------------------------------------------- sizes and keys

    static Stream<Arguments> sizes() {
        List<Arguments> cases = new ArrayList<>();
        for (Way way : Way.values()) {
            for (int size : new int[] {0, 1, PART, 2 * PART + 123}) {
                cases.add(Arguments.of(way, size));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, {1} bytes")
    @MethodSource("sizes")
    void replicatesObjectsOfEverySizeVerified(Way way, int size) {
        byte[] content = bytes(size);
        ObjectInfo written = write(source(way), "sized/object.bin", content, ObjectAttributes.NONE);

        Outcome outcome = pipeline().process(created(way, written));

        assertReplicated(outcome, way, size);
        ObjectInfo replica = target(way).stat("sized/object.bin").orElseThrow();
        assertThat(replica.size()).isEqualTo(size);
        assertThat(read(target(way), "sized/object.bin")).isEqualTo(content);
        assertThat(replica.attributes().userMetadata())
                .containsEntry(Provenance.REPLICA_MARKER, "1")
                .containsEntry(Provenance.SOURCE_URI, source(way).uriOf("sized/object.bin").toASCIIString())
                .containsEntry(Provenance.SOURCE_ETAG, written.etag())
                .containsEntry(Provenance.SOURCE_SEQUENCER, String.format("%016X", sequencer.get()))
                .containsEntry(Provenance.SOURCE_MD5, Checksums.base64(Checksums.md5(ByteBuffer.wrap(content))))
                .containsEntry(Provenance.RULE, "engine-e2e");
        assertThat(budget.inUse()).isZero();
    }

    static Stream<Arguments> keys() {
        List<Arguments> cases = new ArrayList<>();
        for (Way way : Way.values()) {
            for (String key : new String[] {"with space.txt", "plus+sign.txt", "percent%2Bliteral%.txt",
                    "unicodé/数据/ü.txt", "trailing/slash/"}) {
                cases.add(Arguments.of(way, key));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, \"{1}\"")
    @MethodSource("keys")
    void replicatesUnusualKeysToTheSameKey(Way way, String key) {
        byte[] content = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ObjectInfo written = write(source(way), key, content, ObjectAttributes.NONE);

        Outcome outcome = pipeline().process(created(way, written));

        assertReplicated(outcome, way, content.length);
        assertThat(read(target(way), key)).isEqualTo(content);
        assertThat(target(way).list("", null, 10).objects()).extracting(ObjectInfo::key).containsExactly(key);
    }

    // ---------------------------------------------------------------- metadata

    @Test
    void carriesContentHeadersAndMetadataFromAzureToS3() {
        ObjectAttributes attributes = new ObjectAttributes("text/csv", "gzip", "de-CH", "attachment; filename=\"r.csv\"",
                "max-age=300", Map.of("Owner", "ada", "project_code", "P-7"), Map.of());
        ObjectInfo written = write(azure, "report.csv", "a,b\n".getBytes(), attributes);

        assertReplicated(pipeline().process(created(Way.AZURE_TO_S3, written)), Way.AZURE_TO_S3, 4);

        ObjectAttributes replica = s3.stat("report.csv").orElseThrow().attributes();
        assertThat(replica.contentType()).isEqualTo("text/csv");
        assertThat(replica.contentEncoding()).isEqualTo("gzip");
        assertThat(replica.contentLanguage()).isEqualTo("de-CH");
        assertThat(replica.contentDisposition()).isEqualTo("attachment; filename=\"r.csv\"");
        assertThat(replica.cacheControl()).isEqualTo("max-age=300");
        // S3 lower-cases metadata names.
        assertThat(replica.userMetadata()).containsEntry("owner", "ada").containsEntry("project_code", "P-7");
    }

    @Test
    void renamesMetadataNamesAzureCannotHoldTheWayAzCopyDoes() {
        ObjectAttributes attributes = new ObjectAttributes("application/json", null, null, null, "no-cache",
                Map.of("owner", "ada", "content-owner", "team-a", "2nd-reviewer", "bob"), Map.of());
        ObjectInfo written = write(s3, "doc.json", "{}".getBytes(), attributes);
        ReplicationRule renaming = rule(DeletePolicy.IGNORE, InvalidMetadataPolicy.RENAME);

        assertReplicated(pipeline(renaming).process(created(Way.S3_TO_AZURE, written)), Way.S3_TO_AZURE, 2);

        ObjectAttributes replica = azure.stat("doc.json").orElseThrow().attributes();
        assertThat(replica.contentType()).isEqualTo("application/json");
        assertThat(replica.cacheControl()).isEqualTo("no-cache");
        assertThat(replica.userMetadata())
                .containsEntry("owner", "ada")
                .containsEntry("rename_content_owner", "team-a")
                .containsEntry("rename_key_content_owner", "content-owner")
                .containsEntry("rename_2nd_reviewer", "bob")
                .containsEntry("rename_key_2nd_reviewer", "2nd-reviewer");
    }

    @Test
    void deadLettersMetadataAzureCannotHoldUnderTheFailPolicyWritingNothing() {
        ObjectInfo written = write(s3, "doc.json", "{}".getBytes(),
                ObjectAttributes.NONE.withUserMetadata(Map.of("content-owner", "team-a")));

        Outcome outcome = pipeline(rule(DeletePolicy.IGNORE, InvalidMetadataPolicy.FAIL))
                .process(created(Way.S3_TO_AZURE, written));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.DeadLetter.class, d -> {
            assertThat(d.reason()).isEqualTo(ReasonCodes.INVALID_METADATA);
            assertThat(d.detail()).contains("content-owner");
        });
        assertThat(azure.stat("doc.json")).isEmpty();
    }

    // ---------------------------------------------------------------- loops, duplicates, order

    @Test
    void twoWayRuleWithOneWritePerSideMakesExactlyOneReplicaEachAndSkipsTheEchoes() {
        ReplicationPipeline pipeline = pipeline();
        ObjectInfo onAzure = write(azure, "from-azure.txt", "A".getBytes(), ObjectAttributes.NONE);
        ObjectInfo onS3 = write(s3, "from-s3.txt", "S".getBytes(), ObjectAttributes.NONE);

        assertReplicated(pipeline.process(created(Way.AZURE_TO_S3, onAzure)), Way.AZURE_TO_S3, 1);
        assertReplicated(pipeline.process(created(Way.S3_TO_AZURE, onS3)), Way.S3_TO_AZURE, 1);
        // The replica writes raise events on their sides, as the clouds would deliver them.
        Outcome echoOnS3 = pipeline.process(created(Way.S3_TO_AZURE, s3.stat("from-azure.txt").orElseThrow()));
        Outcome echoOnAzure = pipeline.process(created(Way.AZURE_TO_S3, azure.stat("from-s3.txt").orElseThrow()));

        assertThat(echoOnS3.reasonCode()).isEqualTo(ReasonCodes.ECHO_OF_REPLICA);
        assertThat(echoOnAzure.reasonCode()).isEqualTo(ReasonCodes.ECHO_OF_REPLICA);
        assertThat(keys(azure)).containsExactly("from-azure.txt", "from-s3.txt");
        assertThat(keys(s3)).containsExactly("from-azure.txt", "from-s3.txt");
        assertThat(azure.stat("from-azure.txt").orElseThrow().etag()).isEqualTo(onAzure.etag());
        assertThat(s3.stat("from-s3.txt").orElseThrow().etag()).isEqualTo(onS3.etag());
        assertThat(azure.stat("from-azure.txt").orElseThrow().attributes().userMetadata())
                .doesNotContainKey(Provenance.REPLICA_MARKER);
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void skipsDuplicateAndLateEventsKeepingTheNewestReplica(Way way) {
        ReplicationPipeline pipeline = pipeline();
        ReplicationEvent older = created(way, write(source(way), "doc.txt", "v1".getBytes(), ObjectAttributes.NONE));
        ReplicationEvent newer = created(way, write(source(way), "doc.txt", "v2".getBytes(), ObjectAttributes.NONE));

        assertReplicated(pipeline.process(newer), way, 2);
        Outcome duplicate = pipeline.process(newer);
        Outcome late = pipeline.process(older);

        assertThat(duplicate.reasonCode()).isEqualTo(ReasonCodes.ALREADY_REPLICATED);
        assertThat(late.reasonCode()).isEqualTo(ReasonCodes.STALE_EVENT);
        assertThat(new String(read(target(way), "doc.txt"))).isEqualTo("v2");
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void skipsAnEventWhoseSourceWasReplacedSinceAsSuperseded(Way way) {
        ReplicationEvent older = created(way, write(source(way), "doc.txt", "v1".getBytes(), ObjectAttributes.NONE));
        write(source(way), "doc.txt", "v2 is longer".getBytes(), ObjectAttributes.NONE);

        Outcome outcome = pipeline().process(older);

        assertThat(outcome.reasonCode()).isEqualTo(ReasonCodes.SUPERSEDED);
        assertThat(target(way).stat("doc.txt")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void skipsAnObjectDeletedBeforeItWasCopied(Way way) {
        ReplicationEvent event = created(way, write(source(way), "brief.txt", "x".getBytes(), ObjectAttributes.NONE));
        source(way).delete("brief.txt", Precondition.NONE);

        Outcome outcome = pipeline().process(event);

        assertThat(outcome.reasonCode()).isEqualTo(ReasonCodes.SOURCE_GONE);
        assertThat(target(way).stat("brief.txt")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void propagatesADeleteOnlyToItsOwnReplica(Way way) {
        ReplicationPipeline pipeline = pipeline(rule(DeletePolicy.PROPAGATE, InvalidMetadataPolicy.EXCLUDE));
        ReplicationEvent created = created(way, write(source(way), "old.txt", "x".getBytes(), ObjectAttributes.NONE));
        assertReplicated(pipeline.process(created), way, 1);
        write(target(way), "theirs.txt", "not a replica".getBytes(), ObjectAttributes.NONE);
        source(way).delete("old.txt", Precondition.NONE);

        Outcome deleted = pipeline.process(deletedEvent(way, "old.txt"));
        Outcome notOurs = pipeline.process(deletedEvent(way, "theirs.txt"));

        assertThat(deleted).isInstanceOfSatisfying(Outcome.Replicated.class, r -> assertThat(r.action()).isEqualTo("deleted"));
        assertThat(target(way).stat("old.txt")).isEmpty();
        assertThat(notOurs.reasonCode()).isEqualTo(ReasonCodes.TARGET_NOT_OURS);
        assertThat(target(way).stat("theirs.txt")).isPresent();
    }

    // ---------------------------------------------------------------- verification and failures

    @ParameterizedTest
    @EnumSource(Way.class)
    void deadLettersBytesCorruptedOnTheWayFromTheSourceWritingNothing(Way way) {
        ObjectInfo written = write(source(way), "big.bin", bytes(PART + 10), ObjectAttributes.NONE);

        Outcome outcome = pipeline(rule(DeletePolicy.IGNORE, InvalidMetadataPolicy.EXCLUDE),
                source -> new FaultyStore(source).corruptReads(), target -> target)
                .process(created(way, written));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.DeadLetter.class,
                d -> assertThat(d.reason()).isEqualTo(ReasonCodes.CHECKSUM_MISMATCH));
        assertThat(target(way).stat("big.bin")).isEmpty();
        assertNoPendingMultipartUploads();
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void detectsAndRemovesAReplicaWhoseBytesWentBadBeforeTheWrite(Way way) {
        ObjectInfo written = write(source(way), "small.bin", bytes(1000), ObjectAttributes.NONE);

        Outcome outcome = pipeline(rule(DeletePolicy.IGNORE, InvalidMetadataPolicy.EXCLUDE),
                source -> source, target -> new FaultyStore(target).corruptWrites())
                .process(created(way, written));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.DeadLetter.class, d -> {
            assertThat(d.reason()).isEqualTo(ReasonCodes.REPLICA_VERIFICATION_FAILED);
            assertThat(d.detail()).contains("the replica was deleted");
        });
        assertThat(target(way).stat("small.bin")).isEmpty();
    }

    @Test
    void detectsAndRemovesAMultipartReplicaOnS3WhosePartWentBad() {
        ObjectInfo written = write(azure, "big.bin", bytes(2 * PART + 5), ObjectAttributes.NONE);
        // Parts carry the MD5s taken as they were read only where the endpoint is not trusted to check
        // signed payload hashes (or over HTTPS); only those MD5s can be held against the multipart ETag.
        S3Store partsWithMd5s = new S3Store(S3Clients.client(s3Options), S3Clients.presigner(s3Options), name,
                new S3Store.EndpointChecks(true, false));

        Outcome outcome = pipeline(rule(DeletePolicy.IGNORE, InvalidMetadataPolicy.EXCLUDE),
                source -> source, target -> new FaultyStore(partsWithMd5s).corruptWrites())
                .process(created(Way.AZURE_TO_S3, written));

        assertThat(outcome.reasonCode()).isEqualTo(ReasonCodes.REPLICA_VERIFICATION_FAILED);
        assertThat(s3.stat("big.bin")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Way.class)
    void aFailureMidCopyLeavesNoVisiblePartialObject(Way way) {
        ObjectInfo written = write(source(way), "big.bin", bytes(3 * PART + 7), ObjectAttributes.NONE);

        Outcome outcome = pipeline(rule(DeletePolicy.IGNORE, InvalidMetadataPolicy.EXCLUDE),
                source -> source, target -> new FaultyStore(target).failPart(2))
                .process(created(way, written));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Retry.class, r -> assertThat(r.reason()).isEqualTo("unavailable"));
        assertThat(target(way).stat("big.bin")).isEmpty();
        assertThat(target(way).list("", null, 10).objects()).isEmpty();
        assertNoPendingMultipartUploads();
        assertThat(budget.inUse()).isZero();
    }

    /** Objects uploaded in parts (no whole MD5) are read by the first GET and by ranged GETs at once. */
    @ParameterizedTest
    @EnumSource(Way.class)
    void replicatesAPartedSourceReadInRangesOfTheSameVersion(Way way) {
        byte[] content = bytes(4 * PART + 7);
        ObjectInfo written = writeInParts(source(way), "parted.bin", content);
        assertThat(written.contentMd5()).isNull();
        FaultyStore countedSource = new FaultyStore(source(way));

        Outcome outcome = pipeline(rule(DeletePolicy.IGNORE, InvalidMetadataPolicy.EXCLUDE), source -> countedSource,
                target -> target).process(created(way, written));

        // The counting wrapper cannot pre-sign, so S3 → Azure streams at once, without trying server-side first.
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Replicated.class, r -> {
            assertThat(r.bytes()).isEqualTo(content.length);
            assertThat(r.action()).isEqualTo("streamed");
        });
        assertThat(read(target(way), "parted.bin")).isEqualTo(content);
        assertThat(countedSource.rangedOpens()).isPositive();
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void rejectsAnAzureEventWhoseUrlIsOnAnotherHostWithoutReadingIt() {
        ObjectInfo written = write(azure, "a.txt", "x".getBytes(), ObjectAttributes.NONE);
        String message = SyntheticEvents.azureBlobCreated(emulators.azureAccount(), name, "a.txt", written.etag(),
                written.size(), "text/plain", "01", "https://attacker.example/" + emulators.azureAccount(), Instant.now());

        Outcome outcome = pipeline().process(only(parser.parseAzureQueueMessage(message)));

        assertThat(outcome).isInstanceOf(Outcome.DeadLetter.class);
        assertThat(outcome.reasonCode()).isEqualTo("foreign-url");
        assertThat(s3.stat("a.txt")).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private ObjectStore source(Way way) {
        return way == Way.AZURE_TO_S3 ? azure : s3;
    }

    private ObjectStore target(Way way) {
        return way == Way.AZURE_TO_S3 ? s3 : azure;
    }

    private ReplicationRule rule(DeletePolicy deletes, InvalidMetadataPolicy invalidMetadata) {
        return new ReplicationRule("engine-e2e",
                new ReplicationRule.AzureSide(emulators.azureAccount(), name, "", emulators.blobEndpoint()),
                new ReplicationRule.S3Side(name, ""), Direction.BOTH, KeyFilter.ALL, deletes, invalidMetadata,
                TargetOptions.DEFAULTS, TargetOptions.DEFAULTS, false);
    }

    private ReplicationPipeline pipeline() {
        return pipeline(rule(DeletePolicy.IGNORE, InvalidMetadataPolicy.EXCLUDE));
    }

    private ReplicationPipeline pipeline(ReplicationRule rule) {
        return pipeline(rule, source -> source, target -> target);
    }

    /** A pipeline whose stores can be wrapped, on the source side or the target side of the copy. */
    private ReplicationPipeline pipeline(ReplicationRule rule, UnaryOperator<ObjectStore> asSource,
                                         UnaryOperator<ObjectStore> asTarget) {
        StoreLookup stores = new StoreLookup() {
            private int calls;

            @Override
            public ObjectStore store(StoreKind kind, String account, String container) {
                ObjectStore store = kind == StoreKind.S3 ? s3 : azure;
                // The pipeline asks for the source first, then the target.
                return calls++ % 2 == 0 ? asSource.apply(store) : asTarget.apply(store);
            }
        };
        return new ReplicationPipeline(RuleSet.of(List.of(rule)), stores,
                new CopySettings(PART, 4, 2, BUDGET, S3ToAzureMode.AUTO), budget, Clock.systemUTC(), fallbacks::add);
    }

    private static ObjectInfo write(ObjectStore store, String key, byte[] content, ObjectAttributes attributes) {
        byte[] md5 = Checksums.md5(ByteBuffer.wrap(content));
        store.put(key, ByteBuffer.wrap(content), new WriteSpec(attributes, content.length, md5, TargetOptions.DEFAULTS),
                Precondition.NONE);
        return store.stat(key).orElseThrow();
    }

    /** Writes {@code content} as a client's multipart upload (S3) or staged blocks (Azure) would: no whole MD5. */
    private static ObjectInfo writeInParts(ObjectStore store, String key, byte[] content) {
        MultipartWrite write = store.startMultipart(key, new WriteSpec(ObjectAttributes.NONE, content.length, null,
                TargetOptions.DEFAULTS), Precondition.NONE);
        int partNumber = 1;
        for (int offset = 0; offset < content.length; offset += PART, partNumber++) {
            ByteBuffer part = ByteBuffer.wrap(content, offset, Math.min(PART, content.length - offset));
            write.uploadPart(partNumber, part.slice(), Checksums.md5(part.slice()));
        }
        write.complete();
        return store.stat(key).orElseThrow();
    }

    /** The event the cloud would deliver for {@code info}, through the real parser. */
    private ReplicationEvent created(Way way, ObjectInfo info) {
        String sequence = String.format("%016X", sequencer.incrementAndGet());
        if (way.sourceKind() == StoreKind.AZURE_BLOB) {
            return only(parser.parseAzureQueueMessage(SyntheticEvents.azureBlobCreated(emulators.azureAccount(), name,
                    info.key(), info.etag(), info.size(), info.attributes().contentType(), sequence,
                    emulators.blobEndpoint(), Instant.now())));
        }
        return only(parser.parseSqsMessage(SyntheticEvents.s3ObjectCreated(emulators.awsRegion(), name, info.key(),
                info.size(), info.etag(), info.versionId(), sequence, Instant.now())));
    }

    private ReplicationEvent deletedEvent(Way way, String key) {
        String sequence = String.format("%016X", sequencer.incrementAndGet());
        ObjectStore source = source(way);
        String url = way.sourceKind() == StoreKind.AZURE_BLOB ? source.uriOf(key).toASCIIString() : null;
        return new ReplicationEvent(way.sourceKind(), source.account(), name, key, ReplicationEvent.EventKind.DELETED,
                null, null, null, sequence, Instant.now(), "delete-" + sequence,
                way.sourceKind() == StoreKind.S3 ? "ObjectRemoved:Delete" : "DeleteBlob", url, null);
    }

    private static ReplicationEvent only(ParsedMessage message) {
        assertThat(message.items()).hasSize(1);
        assertThat(message.items().getFirst()).isInstanceOf(ParsedMessage.Accepted.class);
        return ((ParsedMessage.Accepted) message.items().getFirst()).event();
    }

    private void assertReplicated(Outcome outcome, Way way, long bytes) {
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Replicated.class, r -> {
            assertThat(r.bytes()).isEqualTo(bytes);
            // Azurite has no Put Blob / Put Block From URL: S3 → Azure falls back to streaming here.
            assertThat(r.action()).isEqualTo(way == Way.AZURE_TO_S3 ? "streamed" : "streamed-after-fallback");
        });
        if (way == Way.S3_TO_AZURE) {
            assertThat(fallbacks).last().isEqualTo("unsupported");
        }
    }

    private void assertNoPendingMultipartUploads() {
        assertThat(emulators.s3Client().listMultipartUploads(b -> b.bucket(name)).uploads()).isEmpty();
    }

    private static byte[] read(ObjectStore store, String key) {
        try (OpenObject open = store.open(key, null, Precondition.NONE)) {
            return open.content().readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> keys(ObjectStore store) {
        return store.list("", null, 100).objects().stream().map(ObjectInfo::key).toList();
    }

    private static byte[] bytes(int size) {
        byte[] content = new byte[size];
        new Random(size).nextBytes(content);
        return content;
    }
}
