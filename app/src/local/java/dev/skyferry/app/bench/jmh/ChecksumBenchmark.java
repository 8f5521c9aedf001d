package dev.skyferry.app.bench.jmh;

import dev.skyferry.verify.Checksums;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Hashing one 16 MiB part as the copier streams it: each read from the source (a slice of
 * {@code readSize} bytes) goes into the part's digest as it arrives. The profile of the 2 GiB copies
 * put most of the worker's CPU here. One operation is one byte, so the score is bytes per second.
 *
 * <ul>
 *   <li>{@code md5}: the per-part Content-MD5 (S3) and per-block MD5 (Azure) Skyferry sends;</li>
 *   <li>{@code sha256}: SigV4's payload hash, which the SDK adds over plain HTTP only;</li>
 *   <li>{@code md5AndSha256}: both, what an S3 part costs over plain HTTP (the emulators');</li>
 *   <li>{@code crc32c}: a checksum without cryptographic strength, for scale (Azure takes none of
 *       the CRC32 family for blocks; its CRC64 is not in the Azure SDK this build uses).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ChecksumBenchmark {

    static final int PART_BYTES = 16 * 1024 * 1024;

    /** 8 KiB: a socket read's typical size; 64 KiB: Azure's streamed body slices; 16 MiB: the part at once. */
    @Param({"8192", "65536", "16777216"})
    public int readSize;

    private byte[] part;

    @Setup
    public void fillPart() {
        part = new byte[PART_BYTES];
        new SplittableRandom(8).nextBytes(part);
    }

    @Benchmark
    @OperationsPerInvocation(PART_BYTES)
    public byte[] md5() {
        MessageDigest md5 = Checksums.newMd5();
        feed(md5::update);
        return md5.digest();
    }

    @Benchmark
    @OperationsPerInvocation(PART_BYTES)
    public byte[] sha256() {
        MessageDigest sha256 = newSha256();
        feed(sha256::update);
        return sha256.digest();
    }

    @Benchmark
    @OperationsPerInvocation(PART_BYTES)
    public void md5AndSha256(Blackhole digests) {
        MessageDigest md5 = Checksums.newMd5();
        MessageDigest sha256 = newSha256();
        feed(md5::update);
        feed(sha256::update);
        digests.consume(md5.digest());
        digests.consume(sha256.digest());
    }

    @Benchmark
    @OperationsPerInvocation(PART_BYTES)
    public long crc32c() {
        CRC32C crc = new CRC32C();
        feed(crc::update);
        return crc.getValue();
    }

    /** What takes the slices: {@code MessageDigest::update} and {@code Checksum::update} alike. */
    @FunctionalInterface
    private interface SliceSink {
        void update(byte[] bytes, int offset, int length);
    }

    private void feed(SliceSink sink) {
        for (int from = 0; from < PART_BYTES; from += readSize) {
            sink.update(part, from, Math.min(readSize, PART_BYTES - from));
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
