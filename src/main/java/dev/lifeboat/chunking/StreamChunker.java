package dev.lifeboat.chunking;

import java.io.IOException;
import java.io.InputStream;

/** Splits a stream into content-defined chunks using one reusable buffer of at most twice the max size. */
public final class StreamChunker {
    private static final int READ_SIZE = 256 * 1024;

    private final FastCdc cdc;
    private byte[] buf;

    public StreamChunker(FastCdc cdc) {
        this.cdc = cdc;
    }

    /** Feeds every chunk of in to sink; returns the number of bytes read. */
    public long split(InputStream in, ChunkSink sink) throws IOException {
        int max = cdc.params().max();
        if (buf == null) {
            // Most files are small: start small and grow to twice the max chunk only when a stream needs it.
            buf = new byte[Math.min(2 * max, 2 * READ_SIZE)];
        }
        int start = 0;
        int end = 0;
        boolean eof = false;
        long total = 0;
        while (true) {
            if (!eof && end - start < max) {
                if (start > 0) {
                    System.arraycopy(buf, start, buf, 0, end - start);
                    end -= start;
                    start = 0;
                }
                while (!eof) {
                    if (end == buf.length) {
                        if (end >= max) {
                            break;
                        }
                        buf = java.util.Arrays.copyOf(buf, Math.min(2 * max, buf.length * 2));
                    }
                    // Bounded reads: the JDK stages channel reads in a per-thread direct buffer as large
                    // as the request, which would pin megabytes of native memory per thread.
                    int n = in.read(buf, end, Math.min(buf.length - end, READ_SIZE));
                    if (n < 0) {
                        eof = true;
                    } else {
                        end += n;
                        total += n;
                    }
                }
            }
            if (start == end) {
                if (buf.length > 2 * READ_SIZE) {
                    buf = null; // a large file grew it; most files that follow are small, so let it go
                }
                return total;
            }
            int n = cdc.cut(buf, start, end - start);
            sink.accept(buf, start, n);
            start += n;
        }
    }
}
