package dev.skyferry.store.azure;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;

/**
 * A blocking {@link InputStream} over a download's body {@code Flux<ByteBuffer>}, holding at most
 * {@code prefetch} buffers at a time, so a multi-GB blob streams through in bounded memory.
 * The SDK's own {@code BinaryData.toStream()} would buffer the whole body first, and its
 * {@code BlobInputStream} loses the whole-blob Content-MD5 of ranged reads, hence this class.
 *
 * <p>Failures while reading surface as whatever {@code translate} makes of them (a StoreException).
 * Closing cancels the subscription, which releases the HTTP connection even mid-body.
 */
final class FluxInputStream extends InputStream {

    private final Stream<ByteBuffer> buffers;
    private final Iterator<ByteBuffer> iterator;
    private final Closeable response;
    private final Function<RuntimeException, RuntimeException> translate;
    private ByteBuffer current;
    private boolean closed;

    FluxInputStream(Flux<ByteBuffer> body, int prefetch, Closeable response,
                    Function<RuntimeException, RuntimeException> translate) {
        this.buffers = body.toStream(prefetch);
        this.iterator = buffers.iterator();
        this.response = response;
        this.translate = translate;
    }

    @Override
    public int read() throws IOException {
        if (!advance()) {
            return -1;
        }
        return current.get() & 0xFF;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, target.length);
        if (length == 0) {
            return 0;
        }
        if (!advance()) {
            return -1;
        }
        int count = Math.min(length, current.remaining());
        current.get(target, offset, count);
        return count;
    }

    @Override
    public int available() {
        return current == null || closed ? 0 : current.remaining();
    }

    /** Makes {@code current} a buffer with bytes left; false at the end of the body. */
    private boolean advance() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        while (current == null || !current.hasRemaining()) {
            try {
                if (!iterator.hasNext()) {
                    return false;
                }
                current = iterator.next();
            } catch (RuntimeException failure) {
                throw translate.apply(failure);
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        current = null;
        try {
            buffers.close();
        } finally {
            response.close();
        }
    }
}
