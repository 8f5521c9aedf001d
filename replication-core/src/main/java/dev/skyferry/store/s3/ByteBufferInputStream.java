package dev.skyferry.store.s3;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Reads a ByteBuffer without copying it. The SDK's {@code RequestBody.fromByteBuffer} copies the
 * whole buffer first, which would double every part held against the copier's memory budget.
 */
final class ByteBufferInputStream extends InputStream {

    private final ByteBuffer buffer;

    /** @param buffer read from its position to its limit; the caller's buffer position is not moved */
    ByteBufferInputStream(ByteBuffer buffer) {
        this.buffer = buffer.duplicate();
    }

    @Override
    public int read() {
        return buffer.hasRemaining() ? buffer.get() & 0xFF : -1;
    }

    @Override
    public int read(byte[] target, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, target.length);
        if (length == 0) {
            return 0;
        }
        if (!buffer.hasRemaining()) {
            return -1;
        }
        int count = Math.min(length, buffer.remaining());
        buffer.get(target, offset, count);
        return count;
    }

    @Override
    public int available() {
        return buffer.remaining();
    }
}
