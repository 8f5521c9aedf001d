package dev.skyferry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.skyferry.store.ObjectStore.ByteRange;
import dev.skyferry.store.ObjectStore.ListPage;
import dev.skyferry.store.ObjectStore.MultipartWrite;
import dev.skyferry.store.ObjectStore.OpenObject;
import dev.skyferry.store.ObjectStore.TargetOptions;
import dev.skyferry.store.ObjectStore.WriteResult;
import dev.skyferry.store.ObjectStore.WriteSpec;
import dev.skyferry.store.StoreException.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The conformance suite every {@link ObjectStore} runs (rclone's fstests, for us): what the copier
 * and the engine may rely on, whichever cloud is underneath. A subclass supplies a store on a fresh,
 * empty container or bucket and says which optional behaviours its backend has; a backend that lacks
 * one skips that assertion with a visible reason instead of weakening it.
 */
public abstract class ObjectStoreContract {

    protected ObjectStore store;

    /** A store over a fresh, empty container or bucket; called before every test. */
    protected abstract ObjectStore newStore();

    /** A store over a container or bucket that does not exist; null where the backend has no containers. */
    protected abstract ObjectStore storeOnMissingContainer();

    /** The smallest size the backend accepts for a part other than the last (S3: 5 MiB). */
    protected abstract int minPartSize();

    /**
     * Null when the backend checks a multipart write's If-None-Match / If-Match when it completes (as S3
     * and Azure do); otherwise the reason it does not, shown as the skipped assumption.
     */
    protected String conditionalCompleteNotEnforcedReason() {
        return null;
    }

    /** Null when the backend stores object tags; otherwise why not. */
    protected String tagsUnsupportedReason() {
        return null;
    }

    @BeforeEach
    protected void freshStore() {
        store = newStore();
    }

    // --- stat / open ---------------------------------------------------------------------------

    @Test
    void statOfMissingObjectIsEmpty() {
        assertThat(store.stat("never/written.bin")).isEmpty();
    }

    @Test
    void statInAMissingContainerIsAnErrorNotAnAbsentObject() {
        ObjectStore nowhere = storeOnMissingContainer();
        assumeTrue(nowhere != null, "skipped: this backend has no containers that could be missing");
        assertThatThrownBy(() -> nowhere.stat("any.bin"))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
                    assertThat(e.containerMissing()).isTrue();
                });
        assertThatThrownBy(() -> nowhere.open("any.bin", null, Precondition.NONE))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.containerMissing()).isTrue());
    }

    @Test
    void openOfMissingObjectIsNotFound() {
        assertThatThrownBy(() -> store.open("never/written.bin", null, Precondition.NONE))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
                    assertThat(e.containerMissing()).isFalse();
                });
    }

    @Test
    void putThenStatAndOpenRoundTripBytesHeadersAndMetadata() {
        byte[] content = randomBytes(1000, 1);
        ObjectAttributes attributes = new ObjectAttributes("image/png", "identity", "en-GB",
                "attachment; filename=\"a.png\"", "max-age=60",
                Map.of("skyferry_replica", "1", "owner", "team-a"), Map.of());

        WriteResult written = store.put("photos/a.png", ByteBuffer.wrap(content), spec(attributes, content), Precondition.NONE);

        ObjectInfo stat = store.stat("photos/a.png").orElseThrow();
        assertThat(stat.key()).isEqualTo("photos/a.png");
        assertThat(stat.size()).isEqualTo(content.length);
        assertThat(stat.etag()).isEqualTo(written.etag()).doesNotStartWith("\"");
        assertThat(stat.contentMd5()).isEqualTo(md5(content));
        assertThat(stat.lastModified()).isNotNull();
        assertSameHeadersAndMetadata(stat.attributes(), attributes);

        try (OpenObject open = store.open("photos/a.png", null, Precondition.NONE)) {
            assertThat(readAll(open)).isEqualTo(content);
            assertThat(open.info().size()).isEqualTo(content.length);
            assertThat(open.info().etag()).isEqualTo(written.etag());
            assertThat(open.info().contentMd5()).isEqualTo(md5(content));
            assertSameHeadersAndMetadata(open.info().attributes(), attributes);
        }
    }

    @Test
    void putReportsTheMd5TheServiceComputed() {
        byte[] content = randomBytes(333, 2);
        WriteResult written = store.put("md5.bin", ByteBuffer.wrap(content), spec(ObjectAttributes.NONE, content), Precondition.NONE);
        assertThat(written.serviceMd5()).isEqualTo(md5(content));
    }

    @Test
    void putWithWrongMd5IsRejectedAndLeavesNothing() {
        byte[] content = randomBytes(500, 3);
        WriteSpec lying = new WriteSpec(ObjectAttributes.NONE, content.length, md5("other".getBytes(StandardCharsets.UTF_8)),
                TargetOptions.DEFAULTS);

        assertThatThrownBy(() -> store.put("corrupt.bin", ByteBuffer.wrap(content), lying, Precondition.NONE))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CHECKSUM_REFUSED));
        assertThat(store.stat("corrupt.bin")).isEmpty();
    }

    @Test
    void emptyObjectRoundTrips() {
        byte[] empty = new byte[0];
        store.put("empty", ByteBuffer.wrap(empty), spec(ObjectAttributes.NONE, empty), Precondition.NONE);

        assertThat(store.stat("empty").orElseThrow().size()).isZero();
        try (OpenObject open = store.open("empty", null, Precondition.NONE)) {
            assertThat(readAll(open)).isEmpty();
        }
    }

    @Test
    void putDoesNotMoveTheCallersBufferPosition() {
        byte[] content = randomBytes(64, 4);
        ByteBuffer buffer = ByteBuffer.wrap(content);
        store.put("position.bin", buffer, spec(ObjectAttributes.NONE, content), Precondition.NONE);
        assertThat(buffer.position()).isZero();
        assertThat(buffer.remaining()).isEqualTo(64);
    }

    @Test
    void rangedReadReturnsExactlyThoseBytesAndDescribesTheWholeObject() {
        byte[] content = randomBytes(10_000, 5);
        store.put("ranged.bin", ByteBuffer.wrap(content), spec(ObjectAttributes.NONE, content), Precondition.NONE);

        try (OpenObject open = store.open("ranged.bin", new ByteRange(1234, 4321), Precondition.NONE)) {
            assertThat(readAll(open)).isEqualTo(Arrays.copyOfRange(content, 1234, 1234 + 4321));
            assertThat(open.info().size()).isEqualTo(content.length);
            // Either the whole object's MD5 or nothing: never the MD5 of the range.
            if (open.info().contentMd5() != null) {
                assertThat(open.info().contentMd5()).isEqualTo(md5(content));
            }
        }
        try (OpenObject tail = store.open("ranged.bin", new ByteRange(9_990, 10), Precondition.NONE)) {
            assertThat(readAll(tail)).isEqualTo(Arrays.copyOfRange(content, 9_990, 10_000));
        }
    }

    @Test
    void openWithCurrentEtagReadsAndWithStaleEtagIsPreconditionFailed() {
        byte[] first = randomBytes(100, 6);
        byte[] second = randomBytes(120, 7);
        String staleEtag = store.put("versioned.bin", ByteBuffer.wrap(first), spec(ObjectAttributes.NONE, first), Precondition.NONE).etag();
        String currentEtag = store.put("versioned.bin", ByteBuffer.wrap(second), spec(ObjectAttributes.NONE, second), Precondition.NONE).etag();
        assertThat(currentEtag).isNotEqualTo(staleEtag);

        try (OpenObject open = store.open("versioned.bin", null, Precondition.ifMatch(currentEtag))) {
            assertThat(readAll(open)).isEqualTo(second);
        }
        assertThatThrownBy(() -> store.open("versioned.bin", null, Precondition.ifMatch(staleEtag)))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.PRECONDITION_FAILED);
                    assertThat(e.httpStatus()).isEqualTo(412);
                });
    }

    /** How the copier pins its ranged reads of a large object to the version its first GET reads. */
    @Test
    void rangedReadsUnderTheEtagAWholeReadReturnedReadThatVersionUntilItIsReplaced() {
        byte[] first = randomBytes(10_000, 21);
        byte[] second = randomBytes(10_000, 22);
        store.put("pinned.bin", ByteBuffer.wrap(first), spec(ObjectAttributes.NONE, first), Precondition.NONE);
        Precondition sameVersion;
        try (OpenObject whole = store.open("pinned.bin", null, Precondition.NONE)) {
            sameVersion = Precondition.ifMatch(whole.info().etag());
        }

        try (OpenObject range = store.open("pinned.bin", new ByteRange(5_000, 5_000), sameVersion)) {
            assertThat(readAll(range)).isEqualTo(Arrays.copyOfRange(first, 5_000, 10_000));
        }
        store.put("pinned.bin", ByteBuffer.wrap(second), spec(ObjectAttributes.NONE, second), Precondition.NONE);
        assertThatThrownBy(() -> store.open("pinned.bin", new ByteRange(5_000, 5_000), sameVersion))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PRECONDITION_FAILED));
    }

    // --- conditional writes ----------------------------------------------------------------------

    @Test
    void putIfAbsentCreatesAMissingObject() {
        byte[] content = randomBytes(10, 8);
        store.put("new.bin", ByteBuffer.wrap(content), spec(ObjectAttributes.NONE, content), Precondition.IF_ABSENT);
        assertThat(store.stat("new.bin")).isPresent();
    }

    @Test
    void putIfAbsentOnAnExistingObjectIsPreconditionFailedAndKeepsIt() {
        assumeTrue(store.enforcesConditionalWrites(), "the store does not claim to enforce conditional writes");
        byte[] original = randomBytes(10, 9);
        byte[] intruder = randomBytes(11, 10);
        store.put("taken.bin", ByteBuffer.wrap(original), spec(ObjectAttributes.NONE, original), Precondition.NONE);

        assertThatThrownBy(() -> store.put("taken.bin", ByteBuffer.wrap(intruder), spec(ObjectAttributes.NONE, intruder), Precondition.IF_ABSENT))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PRECONDITION_FAILED));
        assertThat(store.stat("taken.bin").orElseThrow().size()).isEqualTo(original.length);
    }

    @Test
    void putIfMatchReplacesTheExpectedVersionOnly() {
        assumeTrue(store.enforcesConditionalWrites(), "the store does not claim to enforce conditional writes");
        byte[] v1 = randomBytes(10, 11);
        byte[] v2 = randomBytes(20, 12);
        byte[] v3 = randomBytes(30, 13);
        String etag1 = store.put("cas.bin", ByteBuffer.wrap(v1), spec(ObjectAttributes.NONE, v1), Precondition.NONE).etag();

        String etag2 = store.put("cas.bin", ByteBuffer.wrap(v2), spec(ObjectAttributes.NONE, v2), Precondition.ifMatch(etag1)).etag();
        assertThatThrownBy(() -> store.put("cas.bin", ByteBuffer.wrap(v3), spec(ObjectAttributes.NONE, v3), Precondition.ifMatch(etag1)))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PRECONDITION_FAILED));

        ObjectInfo now = store.stat("cas.bin").orElseThrow();
        assertThat(now.etag()).isEqualTo(etag2);
        assertThat(now.size()).isEqualTo(v2.length);
    }

    @Test
    void putIfMatchOnAMissingObjectIsNotWritten() {
        assumeTrue(store.enforcesConditionalWrites(), "the store does not claim to enforce conditional writes");
        byte[] content = randomBytes(10, 14);
        assertThatThrownBy(() -> store.put("ghost.bin", ByteBuffer.wrap(content), spec(ObjectAttributes.NONE, content),
                Precondition.ifMatch("0x8D0000000000000")))
                .isInstanceOfSatisfying(StoreException.class,
                        e -> assertThat(e.kind()).isIn(Kind.PRECONDITION_FAILED, Kind.NOT_FOUND));
        assertThat(store.stat("ghost.bin")).isEmpty();
    }

    // --- multipart ---------------------------------------------------------------------------------

    @Test
    void multipartCommitsPartsInNumberOrderWhenUploadedOutOfOrderFromSeveralThreads() throws Exception {
        int partSize = minPartSize();
        byte[] content = randomBytes(2 * partSize + 777, 15);
        ObjectAttributes attributes = new ObjectAttributes("application/x-tar", null, null, null, null,
                Map.of("skyferry_source", "s3://bucket/big.tar"), Map.of());
        MultipartWrite write = store.startMultipart("big.tar", spec(attributes, content), Precondition.NONE);
        assertThat(write.uploadId()).isNotBlank();

        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> uploads = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(3)) {
            for (int part : new int[] {3, 1, 2}) {
                int from = (part - 1) * partSize;
                byte[] bytes = Arrays.copyOfRange(content, from, Math.min(content.length, from + partSize));
                uploads.add(threads.submit(() -> {
                    start.await();
                    write.uploadPart(part, ByteBuffer.wrap(bytes), md5(bytes));
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> upload : uploads) {
                upload.get();
            }
        }
        assertThat(store.stat("big.tar")).as("nothing visible before complete").isEmpty();

        WriteResult result = write.complete();

        ObjectInfo info = store.stat("big.tar").orElseThrow();
        assertThat(info.etag()).isEqualTo(result.etag());
        assertThat(info.size()).isEqualTo(content.length);
        assertThat(info.attributes().contentType()).isEqualTo("application/x-tar");
        assertThat(info.attributes().userMetadata()).containsEntry("skyferry_source", "s3://bucket/big.tar");
        if (info.contentMd5() != null) {
            assertThat(info.contentMd5()).as("a multipart object's MD5, when reported, is the real one").isEqualTo(md5(content));
        }
        try (OpenObject open = store.open("big.tar", null, Precondition.ifMatch(result.etag()))) {
            assertThat(readAll(open)).isEqualTo(content);
        }
    }

    @Test
    void abortedMultipartLeavesNothingVisible() {
        byte[] part = randomBytes(minPartSize(), 16);
        MultipartWrite write = store.startMultipart("aborted.bin", spec(ObjectAttributes.NONE, part), Precondition.NONE);
        write.uploadPart(1, ByteBuffer.wrap(part), md5(part));
        write.uploadPart(2, ByteBuffer.wrap(part), md5(part));

        write.abort();
        write.abort(); // idempotent

        assertThat(store.stat("aborted.bin")).isEmpty();
        assertThat(store.list("", null, 100).objects()).isEmpty();
    }

    @Test
    void multipartPartWithWrongMd5IsRejected() {
        byte[] part = randomBytes(1000, 17);
        MultipartWrite write = store.startMultipart("badpart.bin", spec(ObjectAttributes.NONE, part), Precondition.NONE);
        try {
            assertThatThrownBy(() -> write.uploadPart(1, ByteBuffer.wrap(part), md5(new byte[] {1})))
                    .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CHECKSUM_REFUSED));
        } finally {
            write.abort();
        }
    }

    @Test
    void aPartWithoutItsMd5IsRefusedOnlyWhereTheStoreNeedsIt() {
        byte[] part = randomBytes(1000, 19);
        MultipartWrite write = store.startMultipart("no-md5.bin", spec(ObjectAttributes.NONE, part), Precondition.NONE);
        if (write.needsPartMd5()) {
            assertThatThrownBy(() -> write.uploadPart(1, ByteBuffer.wrap(part), null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs its MD5");
            write.abort();
            assertThat(store.stat("no-md5.bin")).isEmpty();
        } else {
            write.uploadPart(1, ByteBuffer.wrap(part), null);
            write.complete();
            try (OpenObject open = store.open("no-md5.bin", null, Precondition.NONE)) {
                assertThat(readAll(open)).isEqualTo(part);
            }
        }
    }

    @Test
    void multipartCompleteUnderIfAbsentFailsWhenTheObjectAppearedMeanwhile() {
        String reason = conditionalCompleteNotEnforcedReason();
        assumeTrue(reason == null, () -> "skipped: " + reason);
        byte[] part = randomBytes(1000, 18);
        MultipartWrite write = store.startMultipart("raced.bin", spec(ObjectAttributes.NONE, part), Precondition.IF_ABSENT);
        write.uploadPart(1, ByteBuffer.wrap(part), md5(part));
        byte[] winner = randomBytes(7, 19);
        store.put("raced.bin", ByteBuffer.wrap(winner), spec(ObjectAttributes.NONE, winner), Precondition.NONE);

        assertThatThrownBy(write::complete)
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isIn(Kind.PRECONDITION_FAILED, Kind.CONFLICT));
        write.abort();
        assertThat(store.stat("raced.bin").orElseThrow().size()).isEqualTo(winner.length);
    }

    // --- delete / metadata ---------------------------------------------------------------------------

    @Test
    void deleteRemovesTheObjectAndAgainIsNotFound() {
        byte[] content = randomBytes(10, 20);
        store.put("doomed.bin", ByteBuffer.wrap(content), spec(ObjectAttributes.NONE, content), Precondition.NONE);

        store.delete("doomed.bin", Precondition.NONE);

        assertThat(store.stat("doomed.bin")).isEmpty();
        assertThatThrownBy(() -> store.delete("doomed.bin", Precondition.NONE))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
    }

    @Test
    void deleteWithStaleEtagIsPreconditionFailedAndKeepsTheObject() {
        byte[] v1 = randomBytes(10, 21);
        byte[] v2 = randomBytes(12, 22);
        String stale = store.put("kept.bin", ByteBuffer.wrap(v1), spec(ObjectAttributes.NONE, v1), Precondition.NONE).etag();
        String current = store.put("kept.bin", ByteBuffer.wrap(v2), spec(ObjectAttributes.NONE, v2), Precondition.NONE).etag();

        assertThatThrownBy(() -> store.delete("kept.bin", Precondition.ifMatch(stale)))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PRECONDITION_FAILED));
        assertThat(store.stat("kept.bin")).isPresent();

        store.delete("kept.bin", Precondition.ifMatch(current));
        assertThat(store.stat("kept.bin")).isEmpty();
    }

    @Test
    void replaceMetadataKeepsContentHeadersAndTags() {
        byte[] content = randomBytes(2048, 23);
        Map<String, String> tags = tagsUnsupportedReason() == null ? Map.of("tier", "gold") : Map.of();
        ObjectAttributes attributes = new ObjectAttributes("text/csv", "gzip", "fr", "inline", "no-cache",
                Map.of("skyferry_replica", "1"), tags);
        String etag = store.put("tomb.csv", ByteBuffer.wrap(content), spec(attributes, content), Precondition.NONE).etag();

        store.replaceMetadata("tomb.csv", Map.of("skyferry_replica", "1", "skyferry_source_deleted_at", "2026-01-01T00:00:00Z"),
                Precondition.ifMatch(etag));

        ObjectInfo after = store.stat("tomb.csv").orElseThrow();
        assertThat(after.attributes().userMetadata())
                .containsExactlyInAnyOrderEntriesOf(Map.of("skyferry_replica", "1", "skyferry_source_deleted_at", "2026-01-01T00:00:00Z"));
        assertThat(after.attributes().contentType()).isEqualTo("text/csv");
        assertThat(after.attributes().contentEncoding()).isEqualTo("gzip");
        assertThat(after.attributes().contentLanguage()).isEqualTo("fr");
        assertThat(after.attributes().contentDisposition()).isEqualTo("inline");
        assertThat(after.attributes().cacheControl()).isEqualTo("no-cache");
        assertThat(after.size()).isEqualTo(content.length);
        if (tagsUnsupportedReason() == null) {
            assertThat(store.readTags("tomb.csv")).isEqualTo(tags);
        }
        try (OpenObject open = store.open("tomb.csv", null, Precondition.NONE)) {
            assertThat(readAll(open)).isEqualTo(content);
        }
    }

    @Test
    void replaceMetadataWithStaleEtagIsPreconditionFailed() {
        byte[] v1 = randomBytes(10, 24);
        byte[] v2 = randomBytes(11, 25);
        String stale = store.put("meta.bin", ByteBuffer.wrap(v1), spec(ObjectAttributes.NONE, v1), Precondition.NONE).etag();
        store.put("meta.bin", ByteBuffer.wrap(v2), spec(ObjectAttributes.NONE, v2), Precondition.NONE);

        assertThatThrownBy(() -> store.replaceMetadata("meta.bin", Map.of("x", "y"), Precondition.ifMatch(stale)))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PRECONDITION_FAILED));
        assertThat(store.stat("meta.bin").orElseThrow().attributes().userMetadata()).doesNotContainKey("x");
    }

    @Test
    void replaceMetadataOfMissingObjectIsNotFound() {
        assertThatThrownBy(() -> store.replaceMetadata("nothing.bin", Map.of("x", "y"), Precondition.NONE))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
    }

    // --- listing ---------------------------------------------------------------------------------------

    @Test
    void listPagesThroughEveryObjectUnderThePrefixInKeyOrder() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            String key = "logs/2026/part-" + i + ".json";
            expected.add(key);
            byte[] content = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            store.put(key, ByteBuffer.wrap(content), spec(ObjectAttributes.NONE, content), Precondition.NONE);
        }
        for (String outside : List.of("logs.txt", "other/part-0.json")) {
            byte[] content = {1};
            store.put(outside, ByteBuffer.wrap(content), spec(ObjectAttributes.NONE, content), Precondition.NONE);
        }

        List<String> listed = new ArrayList<>();
        int pages = 0;
        String continuation = null;
        do {
            ListPage page = store.list("logs/", continuation, 3);
            assertThat(page.objects()).hasSizeLessThanOrEqualTo(3);
            page.objects().forEach(object -> {
                assertThat(object.etag()).isNotBlank();
                assertThat(object.size()).isPositive();
                listed.add(object.key());
            });
            continuation = page.continuation();
            pages++;
        } while (continuation != null && pages < 10);

        assertThat(listed).containsExactlyElementsOf(expected.stream().sorted().toList());
        assertThat(pages).isGreaterThanOrEqualTo(3);
    }

    @Test
    void listOfAnEmptyPrefixIsOneEmptyPage() {
        ListPage page = store.list("nothing-here/", null, 10);
        assertThat(page.objects()).isEmpty();
        assertThat(page.continuation()).isNull();
    }

    // --- keys, tags, URIs ----------------------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {"with space.txt", "plus+sign.txt", "percent%20literal.txt", "unicodé/数据/ü.txt",
            "trailing/slash/", "a?b#c&d=e.txt", "semi;colon,comma.txt"})
    void unusualKeysRoundTripThroughEveryOperation(String key) {
        byte[] content = key.getBytes(StandardCharsets.UTF_8);
        String etag = store.put(key, ByteBuffer.wrap(content), spec(ObjectAttributes.NONE, content), Precondition.NONE).etag();

        assertThat(store.stat(key).orElseThrow().key()).isEqualTo(key);
        try (OpenObject open = store.open(key, null, Precondition.ifMatch(etag))) {
            assertThat(readAll(open)).isEqualTo(content);
        }
        assertThat(store.list("", null, 100).objects()).extracting(ObjectInfo::key).containsExactly(key);
        assertThat(store.uriOf(key).toString()).isNotBlank();
        store.replaceMetadata(key, Map.of("k", "v"), Precondition.NONE);
        assertThat(store.stat(key).orElseThrow().attributes().userMetadata()).containsEntry("k", "v");
        store.delete(key, Precondition.NONE);
        assertThat(store.stat(key)).isEmpty();
    }

    @Test
    void keysThatDifferOnlyInEncodingAreDistinctObjects() {
        for (String key : List.of("a b", "a+b", "a%20b", "a%2Bb")) {
            byte[] content = key.getBytes(StandardCharsets.UTF_8);
            store.put(key, ByteBuffer.wrap(content), spec(ObjectAttributes.NONE, content), Precondition.NONE);
        }
        assertThat(store.list("", null, 100).objects()).extracting(ObjectInfo::key)
                .containsExactlyInAnyOrder("a b", "a+b", "a%20b", "a%2Bb");
        try (OpenObject open = store.open("a+b", null, Precondition.NONE)) {
            assertThat(new String(readAll(open), StandardCharsets.UTF_8)).isEqualTo("a+b");
        }
        assertThat(store.uriOf("a b")).isNotEqualTo(store.uriOf("a+b")).isNotEqualTo(store.uriOf("a%20b"));
    }

    @Test
    void tagsRoundTripOnPutAndMultipart() {
        String reason = tagsUnsupportedReason();
        assumeTrue(reason == null, () -> "skipped: " + reason);
        Map<String, String> tags = Map.of("project", "skyferry", "class", "backup-1");
        byte[] content = randomBytes(10, 26);
        store.put("tagged.bin", ByteBuffer.wrap(content), spec(ObjectAttributes.NONE.withTags(tags), content), Precondition.NONE);
        assertThat(store.readTags("tagged.bin")).isEqualTo(tags);

        MultipartWrite write = store.startMultipart("tagged-multi.bin", spec(ObjectAttributes.NONE.withTags(tags), content), Precondition.NONE);
        write.uploadPart(1, ByteBuffer.wrap(content), md5(content));
        write.complete();
        assertThat(store.readTags("tagged-multi.bin")).isEqualTo(tags);

        store.put("untagged.bin", ByteBuffer.wrap(content), spec(ObjectAttributes.NONE, content), Precondition.NONE);
        assertThat(store.readTags("untagged.bin")).isEmpty();
    }

    @Test
    void identityOfTheStore() {
        assertThat(store.container()).isNotBlank();
        assertThat(store.kind()).isNotNull();
        assertThat(store.uriOf("x/y.bin")).isEqualTo(store.uriOf("x/y.bin")).isNotEqualTo(store.uriOf("x/z.bin"));
    }

    // --- helpers -------------------------------------------------------------------------------------------

    protected static WriteSpec spec(ObjectAttributes attributes, byte[] content) {
        return new WriteSpec(attributes, content.length, md5(content), TargetOptions.DEFAULTS);
    }

    /** A multipart write keeps every content header, as a single put does. */
    @Test
    void multipartKeepsEveryContentHeaderAndTheMetadata() {
        int partSize = minPartSize();
        byte[] content = randomBytes(partSize + 10, 77);
        ObjectAttributes attributes = new ObjectAttributes("application/x-tar", "gzip", "fr",
                "attachment; filename=\"big.tar\"", "max-age=60", Map.of("skyferry_source", "s3://bucket/big.tar"), Map.of());
        MultipartWrite write = store.startMultipart("headers.tar", spec(attributes, content), Precondition.NONE);
        byte[] first = Arrays.copyOfRange(content, 0, partSize);
        byte[] second = Arrays.copyOfRange(content, partSize, content.length);
        write.uploadPart(1, ByteBuffer.wrap(first), md5(first));
        write.uploadPart(2, ByteBuffer.wrap(second), md5(second));
        write.complete();

        assertSameHeadersAndMetadata(store.stat("headers.tar").orElseThrow().attributes(), attributes);
    }

    protected static void assertSameHeadersAndMetadata(ObjectAttributes actual, ObjectAttributes expected) {
        assertThat(actual.contentType()).isEqualTo(expected.contentType());
        assertThat(actual.contentEncoding()).isEqualTo(expected.contentEncoding());
        assertThat(actual.contentLanguage()).isEqualTo(expected.contentLanguage());
        assertThat(actual.contentDisposition()).isEqualTo(expected.contentDisposition());
        assertThat(actual.cacheControl()).isEqualTo(expected.cacheControl());
        assertThat(actual.userMetadata()).containsExactlyInAnyOrderEntriesOf(expected.userMetadata());
    }

    protected static byte[] readAll(OpenObject open) {
        try {
            return open.content().readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    protected static byte[] md5(byte[] content) {
        try {
            return MessageDigest.getInstance("MD5").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
