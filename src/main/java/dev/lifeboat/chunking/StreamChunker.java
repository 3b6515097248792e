package dev.lifeboat.chunking;

import dev.lifeboat.util.GrowthRelease;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a stream into content-defined chunks using one reusable buffer of at most the max chunk
 * size plus one read, grown only as far as the longest chunk seen needs. A grown buffer is kept
 * through a run of large files (dropping it after each made every large file allocate megabytes
 * anew, which grew the heap far beyond what was live) and given back after a run of small ones.
 */
public final class StreamChunker {
    private static final int READ_SIZE = 256 * 1024;
    private static final int FIRST_SIZE = 2 * READ_SIZE;

    private final FastCdc cdc;
    private final GrowthRelease release = new GrowthRelease(256);
    private byte[] buf;

    public StreamChunker(FastCdc cdc) {
        this.cdc = cdc;
    }

    /** Feeds every chunk of in to sink; returns the number of bytes read. */
    public long split(InputStream in, ChunkSink sink) throws IOException {
        int max = cdc.params().max();
        if (buf == null) {
            // Most files are small: start small, grow only when a stream needs it.
            buf = new byte[Math.min(max + READ_SIZE, FIRST_SIZE)];
        }
        int start = 0;
        int end = 0;
        boolean eof = false;
        long total = 0;
        while (true) {
            int avail = end - start;
            if (!eof && avail < max) {
                if (end < buf.length) {
                    // Bounded reads: the JDK stages channel reads in a per-thread direct buffer as large
                    // as the request, which would pin megabytes of native memory per thread.
                    while (end < buf.length) {
                        int n = in.read(buf, end, Math.min(buf.length - end, READ_SIZE));
                        if (n < 0) {
                            eof = true;
                            break;
                        }
                        end += n;
                        total += n;
                    }
                    continue;
                }
                // The buffer is full but holds less than max bytes from start. A boundary found before
                // the end of those bytes is final (a cut depends only on the bytes before it), so the
                // remainder is moved to the front only when it holds no boundary: rarely, and little.
                int n = cdc.cut(buf, start, avail);
                if (n < avail) {
                    sink.accept(buf, start, n);
                    start += n;
                } else if (start > 0) {
                    System.arraycopy(buf, start, buf, 0, avail);
                    start = 0;
                    end = avail;
                } else {
                    // Doubled, not grown to the max at once: chunks longer than twice the average are rare,
                    // and every worker keeps its buffer (a cut never needs more than max bytes ahead).
                    buf = Arrays.copyOf(buf, (int) Math.min((long) max + READ_SIZE, 2L * buf.length));
                }
                continue;
            }
            if (avail == 0) {
                if (release.giveBack(total <= FIRST_SIZE, buf.length > FIRST_SIZE)) {
                    buf = null;
                }
                return total;
            }
            int n = cdc.cut(buf, start, avail);
            sink.accept(buf, start, n);
            start += n;
        }
    }
}
