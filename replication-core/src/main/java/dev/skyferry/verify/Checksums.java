package dev.skyferry.verify;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/** MD5 helpers: the one checksum both clouds report on writes and keep on objects. */
public final class Checksums {

    private static final HexFormat HEX = HexFormat.of();

    private Checksums() {}

    public static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides MD5", e);
        }
    }

    /** MD5 of the buffer's remaining bytes; the buffer's position is left unchanged. */
    public static byte[] md5(ByteBuffer data) {
        MessageDigest md5 = newMd5();
        md5.update(data.duplicate());
        return md5.digest();
    }

    public static String base64(byte[] digest) {
        return Base64.getEncoder().encodeToString(digest);
    }

    public static String hex(byte[] digest) {
        return HEX.formatHex(digest);
    }

    /**
     * The ETag S3 gives an object completed from these parts: the MD5 of the concatenated part MD5s,
     * in hex, then "-" and the part count. It identifies the parts, it is not the object's MD5.
     */
    public static String s3MultipartEtag(List<byte[]> partMd5s) {
        MessageDigest md5 = newMd5();
        partMd5s.forEach(md5::update);
        return hex(md5.digest()) + "-" + partMd5s.size();
    }
}
