package dev.skyferry.pipeline;

import dev.skyferry.store.ObjectInfo;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.Precondition;
import dev.skyferry.store.StoreException;
import dev.skyferry.store.StoreKind;
import dev.skyferry.verify.Checksums;
import java.io.FilterInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real store with faults injected between the engine and the wire, for emulator tests: bytes
 * corrupted on the way in from a GET, bytes corrupted after the engine computed their MD5 (so the
 * service accepts them and reports their real checksum), a part upload that fails. Counts ranged GETs.
 */
final class FaultyStore implements ObjectStore {

    private final ObjectStore delegate;
    private volatile boolean corruptReads;
    private volatile boolean corruptWrites;
    private volatile int failingPart;
    private final AtomicInteger rangedOpens = new AtomicInteger();

    FaultyStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    /** GET streams flip one bit of their first byte. */
    FaultyStore corruptReads() {
        corruptReads = true;
        return this;
    }

    /** Puts and first parts are sent with one bit flipped and a matching MD5, as if a buffer went bad. */
    FaultyStore corruptWrites() {
        corruptWrites = true;
        return this;
    }

    /** GETs of a byte range made so far. */
    int rangedOpens() {
        return rangedOpens.get();
    }

    /** Uploading part {@code partNumber} fails like a dropped connection. */
    FaultyStore failPart(int partNumber) {
        failingPart = partNumber;
        return this;
    }

    @Override
    public StoreKind kind() {
        return delegate.kind();
    }

    @Override
    public boolean enforcesConditionalWrites() {
        return delegate.enforcesConditionalWrites();
    }

    @Override
    public String account() {
        return delegate.account();
    }

    @Override
    public String container() {
        return delegate.container();
    }

    @Override
    public URI uriOf(String key) {
        return delegate.uriOf(key);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return delegate.stat(key);
    }

    @Override
    public OpenObject open(String key, ByteRange range, Precondition condition) {
        OpenObject open = delegate.open(key, range, condition);
        if (range != null) {
            rangedOpens.incrementAndGet();
        }
        if (!corruptReads) {
            return open;
        }
        return new OpenObject(open.info(), new FilterInputStream(open.content()) {
            private boolean first = true;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0 && first) {
                    first = false;
                    return b ^ 0x01;
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0 && first) {
                    first = false;
                    buffer[offset] ^= 0x01;
                }
                return n;
            }
        });
    }

    @Override
    public Map<String, String> readTags(String key) {
        return delegate.readTags(key);
    }

    @Override
    public WriteResult put(String key, ByteBuffer content, WriteSpec spec, Precondition condition) {
        if (!corruptWrites || content.remaining() == 0) {
            return delegate.put(key, content, spec, condition);
        }
        ByteBuffer bad = corrupted(content);
        return delegate.put(key, bad, new WriteSpec(spec.attributes(), spec.size(), Checksums.md5(bad), spec.options()),
                condition);
    }

    @Override
    public MultipartWrite startMultipart(String key, WriteSpec spec, Precondition condition) {
        MultipartWrite write = delegate.startMultipart(key, spec, condition);
        return new MultipartWrite() {
            @Override
            public String uploadId() {
                return write.uploadId();
            }

            @Override
            public boolean needsPartMd5() {
                return write.needsPartMd5();
            }

            @Override
            public void uploadPart(int partNumber, ByteBuffer data, byte[] md5) {
                if (partNumber == failingPart) {
                    throw new StoreException(StoreException.Kind.UNAVAILABLE, 0, null,
                            "connection reset during part " + partNumber, null, null);
                }
                if (corruptWrites && partNumber == 1) {
                    ByteBuffer bad = corrupted(data);
                    write.uploadPart(partNumber, bad, Checksums.md5(bad));
                    return;
                }
                write.uploadPart(partNumber, data, md5);
            }

            @Override
            public WriteResult complete() {
                return write.complete();
            }

            @Override
            public void abort() {
                write.abort();
            }
        };
    }

    @Override
    public void delete(String key, Precondition condition) {
        delegate.delete(key, condition);
    }

    @Override
    public void replaceMetadata(String key, Map<String, String> userMetadata, Precondition condition) {
        delegate.replaceMetadata(key, userMetadata, condition);
    }

    @Override
    public ListPage list(String prefix, String continuation, int pageSize) {
        return delegate.list(prefix, continuation, pageSize);
    }

    private static ByteBuffer corrupted(ByteBuffer content) {
        ByteBuffer copy = ByteBuffer.allocate(content.remaining());
        copy.put(content.duplicate()).flip();
        copy.put(0, (byte) (copy.get(0) ^ 0x01));
        return copy;
    }
}
