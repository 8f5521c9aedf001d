package dev.skyferry.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyferry.plan.ReasonCodes;
import dev.skyferry.plan.ReplicationFailure;
import dev.skyferry.store.ObjectAttributes;
import dev.skyferry.store.ObjectStore.MultipartWrite;
import dev.skyferry.store.ObjectStore.TargetOptions;
import dev.skyferry.store.ObjectStore.WriteResult;
import dev.skyferry.store.ObjectStore.WriteSpec;
import dev.skyferry.store.Precondition;
import dev.skyferry.testkit.InMemoryStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaVerifierTest {

    private static final TargetOptions KMS = new TargetOptions(null, "aws:kms", "alias/backup", null, null);

    private final ReplicaVerifier verifier = new ReplicaVerifier();
    private final InMemoryStore s3 = InMemoryStore.s3("backup");
    private final InMemoryStore azure = InMemoryStore.azure("acct", "photos");

    @Test
    void acceptsASinglePutWhoseReportedMd5MatchesWhatWasSent() {
        byte[] content = "hello".getBytes();
        WrittenReplica replica = put(azure, "a.txt", content);

        assertThatCode(() -> verifier.verify(azure, replica)).doesNotThrowAnyException();
        assertThat(azure.exists("a.txt")).isTrue();
    }

    @Test
    void removesASinglePutWhoseReportedMd5Differs() {
        azure.corruptWrites();
        WrittenReplica replica = put(azure, "a.txt", "hello".getBytes());

        assertVerificationFails(azure, replica, "the target reports MD5", "the replica was deleted");
        assertThat(azure.exists("a.txt")).isFalse();
    }

    @Test
    void removesAnS3MultipartReplicaWhoseEtagDoesNotMatchTheUploadedParts() {
        s3.corruptWrites();
        WrittenReplica replica = multipart(s3, "big.bin", List.of(bytes(10, 1), bytes(10, 2), bytes(5, 3)), TargetOptions.DEFAULTS);

        assertVerificationFails(s3, replica, "the multipart ETag is", "the replica was deleted");
        assertThat(s3.exists("big.bin")).isFalse();
    }

    @Test
    void acceptsAnS3MultipartReplicaWhoseEtagMatchesTheParts() {
        WrittenReplica replica = multipart(s3, "big.bin", List.of(bytes(10, 1), bytes(10, 2), bytes(5, 3)), TargetOptions.DEFAULTS);

        assertThatCode(() -> verifier.verify(s3, replica)).doesNotThrowAnyException();
    }

    @Test
    void doesNotReadAnSseKmsMultipartEtagAsPartMd5s() {
        WrittenReplica replica = multipart(s3, "big.bin", List.of(bytes(10, 1), bytes(10, 2)), KMS);

        assertThatCode(() -> verifier.verify(s3, replica)).doesNotThrowAnyException();
        assertThat(s3.exists("big.bin")).isTrue();
    }

    @Test
    void doesNotReadTheMultipartEtagOfABucketThatEncryptsWithKmsByDefaultAsPartMd5s() {
        s3.encryptingWithKmsByDefault();
        WrittenReplica replica = multipart(s3, "big.bin", List.of(bytes(10, 1), bytes(10, 2)), TargetOptions.DEFAULTS);

        assertThatCode(() -> verifier.verify(s3, replica)).doesNotThrowAnyException();
        assertThat(s3.exists("big.bin")).isTrue();
    }

    @Test
    void rejectsAMultipartReplicaCommittedWithAnotherPartCountEvenUnderKms() {
        WrittenReplica written = multipart(s3, "big.bin", List.of(bytes(10, 1), bytes(10, 2)), KMS);
        List<byte[]> threeParts = List.of(bytes(1, 1), bytes(1, 2), bytes(1, 3));
        WrittenReplica claimed = new WrittenReplica(written.key(), written.method(), written.result(), written.size(),
                written.md5(), 3, threeParts, KMS);

        assertVerificationFails(s3, claimed, "the target committed 2 parts, 3 were uploaded");
    }

    @Test
    void checksTheCommittedPartCountOfPartsSentWithoutMd5s() {
        WrittenReplica written = multipart(s3, "big.bin", List.of(bytes(10, 1), bytes(10, 2)), TargetOptions.DEFAULTS);
        WrittenReplica asSent = withoutPartMd5s(written, 2);
        WrittenReplica claimingThree = withoutPartMd5s(written, 3);

        assertThatCode(() -> verifier.verify(s3, asSent)).doesNotThrowAnyException();
        assertVerificationFails(s3, claimingThree, "the target committed 2 parts, 3 were uploaded");
    }

    @Test
    void readsBackAServerSideCopyAndRemovesItWhenTheSizeDiffers() {
        byte[] content = "abc".getBytes();
        WriteResult result = azure.put("a.txt", ByteBuffer.wrap(content), spec(content, TargetOptions.DEFAULTS), Precondition.NONE);
        WrittenReplica claimed = new WrittenReplica("a.txt", WrittenReplica.Method.SERVER_SIDE, result, 4,
                null, 0, List.of(), TargetOptions.DEFAULTS);

        assertVerificationFails(azure, claimed, "the replica has 3 bytes, the source 4");
        assertThat(azure.exists("a.txt")).isFalse();
        assertThat(azure.requests(InMemoryStore.Op.STAT)).isEqualTo(1);
    }

    @Test
    void aServerSideCopyAnotherWorkerReplacedOrRemovedRightAfterItsCommitIsNotAFailedCopy() {
        byte[] content = "abc".getBytes();
        WriteResult result = azure.put("a.txt", ByteBuffer.wrap(content), spec(content, TargetOptions.DEFAULTS), Precondition.NONE);
        WrittenReplica replica = new WrittenReplica("a.txt", WrittenReplica.Method.SERVER_SIDE, result, 3,
                null, 0, List.of(), TargetOptions.DEFAULTS);
        azure.seed("a.txt", "the next version, replicated by another worker");

        assertThatCode(() -> verifier.verify(azure, replica)).doesNotThrowAnyException();
        assertThat(new String(azure.contentOf("a.txt"))).isEqualTo("the next version, replicated by another worker");

        azure.delete("a.txt", Precondition.NONE); // a delete propagated meanwhile

        assertThatCode(() -> verifier.verify(azure, replica)).doesNotThrowAnyException();
    }

    @Test
    void neverDeletesAReplicaThatSomeoneElseOverwroteMeanwhile() {
        azure.corruptWrites();
        WrittenReplica replica = put(azure, "a.txt", "hello".getBytes());
        azure.seed("a.txt", "a newer write by someone else");

        assertVerificationFails(azure, replica, "could not be deleted", "delete it by hand");
        assertThat(new String(azure.contentOf("a.txt"))).isEqualTo("a newer write by someone else");
    }

    private void assertVerificationFails(InMemoryStore target, WrittenReplica replica, String... detail) {
        assertThatThrownBy(() -> verifier.verify(target, replica))
                .isInstanceOfSatisfying(ReplicationFailure.class, f -> {
                    assertThat(f.reason()).isEqualTo(ReasonCodes.REPLICA_VERIFICATION_FAILED);
                    assertThat(f.isTransient()).isFalse();
                    assertThat(f.detail()).contains(detail);
                });
    }

    private static WrittenReplica put(InMemoryStore target, String key, byte[] content) {
        byte[] md5 = Checksums.md5(ByteBuffer.wrap(content));
        WriteResult result = target.put(key, ByteBuffer.wrap(content), spec(content, TargetOptions.DEFAULTS), Precondition.NONE);
        return new WrittenReplica(key, WrittenReplica.Method.SINGLE_PUT, result, content.length, md5, 0, List.of(),
                TargetOptions.DEFAULTS);
    }

    private static WrittenReplica multipart(InMemoryStore target, String key, List<byte[]> parts, TargetOptions options) {
        long size = parts.stream().mapToLong(p -> p.length).sum();
        MultipartWrite write = target.startMultipart(key, new WriteSpec(ObjectAttributes.NONE, size, null, options),
                Precondition.NONE);
        List<byte[]> md5s = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            byte[] md5 = Checksums.md5(ByteBuffer.wrap(parts.get(i)));
            write.uploadPart(i + 1, ByteBuffer.wrap(parts.get(i)), md5);
            md5s.add(md5);
        }
        return new WrittenReplica(key, WrittenReplica.Method.MULTIPART, write.complete(), size, null, parts.size(), md5s,
                options);
    }

    private static WrittenReplica withoutPartMd5s(WrittenReplica written, int partCount) {
        return new WrittenReplica(written.key(), written.method(), written.result(), written.size(), written.md5(),
                partCount, List.of(), written.options());
    }

    private static WriteSpec spec(byte[] content, TargetOptions options) {
        return new WriteSpec(ObjectAttributes.NONE, content.length, Checksums.md5(ByteBuffer.wrap(content)), options);
    }

    private static byte[] bytes(int size, int seed) {
        byte[] content = new byte[size];
        new java.util.Random(seed).nextBytes(content);
        return content;
    }
}
