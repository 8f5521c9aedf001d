package dev.skyferry.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChecksumsTest {

    @Test
    void computesTheWellKnownMd5OfTheEmptyInput() {
        assertThat(Checksums.hex(Checksums.md5(ByteBuffer.allocate(0)))).isEqualTo("d41d8cd98f00b204e9800998ecf8427e");
        assertThat(Checksums.base64(Checksums.md5(ByteBuffer.allocate(0)))).isEqualTo("1B2M2Y8AsgTpgAmY7PhCfg==");
    }

    @Test
    void leavesTheBufferPositionAlone() {
        ByteBuffer data = ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII));

        Checksums.md5(data);

        assertThat(data.remaining()).isEqualTo(3);
    }

    @Test
    void computesS3sMultipartEtagAsTheMd5OfThePartMd5s() {
        byte[] md5OfA = Checksums.md5(ByteBuffer.wrap("a".getBytes(StandardCharsets.US_ASCII)));
        byte[] md5OfB = Checksums.md5(ByteBuffer.wrap("b".getBytes(StandardCharsets.US_ASCII)));
        byte[] concatenated = new byte[32];
        System.arraycopy(md5OfA, 0, concatenated, 0, 16);
        System.arraycopy(md5OfB, 0, concatenated, 16, 16);

        String etag = Checksums.s3MultipartEtag(List.of(md5OfA, md5OfB));

        assertThat(etag).isEqualTo(Checksums.hex(Checksums.md5(ByteBuffer.wrap(concatenated))) + "-2");
        // Not the MD5 of the object "ab": a multipart ETag is never an object MD5.
        assertThat(etag).doesNotStartWith(Checksums.hex(Checksums.md5(ByteBuffer.wrap("ab".getBytes(StandardCharsets.US_ASCII)))));
    }
}
