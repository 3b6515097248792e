package dev.lifeboat.chunking;

import java.io.IOException;
import java.io.InputStream;

/** Splits a stream into content-defined chunks using one reusable buffer of twice the max size. */
public final class StreamChunker {
    private final FastCdc cdc;
    private byte[] buf;

    public StreamChunker(FastCdc cdc) {
        this.cdc = cdc;
    }

    /** Feeds every chunk of in to sink; returns the number of bytes read. */
    public long split(InputStream in, ChunkSink sink) throws IOException {
        int max = cdc.params().max();
        if (buf == null) {
            buf = new byte[2 * max];
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
                while (end < buf.length) {
                    int n = in.read(buf, end, buf.length - end);
                    if (n < 0) {
                        eof = true;
                        break;
                    }
                    end += n;
                    total += n;
                }
            }
            if (start == end) {
                return total;
            }
            int n = cdc.cut(buf, start, end - start);
            sink.accept(buf, start, n);
            start += n;
        }
    }
}
