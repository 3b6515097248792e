package dev.lifeboat.util;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Writes heap arrays to channels in bounded slices. The JDK copies every heap-buffer channel
 * write through a per-thread direct buffer as large as the request and keeps it cached, so
 * one 8 MiB write pins 8 MiB of native memory in that thread for good.
 */
public final class SlicedIo {
    public static final int SLICE = 256 * 1024;

    private SlicedIo() {
    }

    /** Writes b[off, off+len) at the channel's position. */
    public static void write(FileChannel ch, byte[] b, int off, int len) throws IOException {
        for (int done = 0; done < len; ) {
            ByteBuffer buf = ByteBuffer.wrap(b, off + done, Math.min(len - done, SLICE));
            while (buf.hasRemaining()) {
                done += ch.write(buf);
            }
        }
    }

    /** Writes b[off, off+len) at pos without moving the channel's position. */
    public static void write(FileChannel ch, byte[] b, int off, int len, long pos) throws IOException {
        for (int done = 0; done < len; ) {
            ByteBuffer buf = ByteBuffer.wrap(b, off + done, Math.min(len - done, SLICE));
            while (buf.hasRemaining()) {
                done += ch.write(buf, pos + done);
            }
        }
    }

    /** A stream that hands large writes to out in slices (for streams that end in a channel). */
    public static OutputStream sliced(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                for (int done = 0; done < len; done += SLICE) {
                    out.write(b, off + done, Math.min(len - done, SLICE));
                }
            }
        };
    }
}
