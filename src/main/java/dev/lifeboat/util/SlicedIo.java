package dev.lifeboat.util;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads and writes heap arrays through channels in bounded slices. The JDK copies every
 * heap-buffer channel read or write through a per-thread direct buffer as large as the request
 * and keeps it cached, so one 8 MiB write pins 8 MiB of native memory in that thread for good.
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

    /**
     * The whole file, read in slices. Files.readAllBytes stages a file in a per-thread direct
     * buffer as large as the file and keeps it: a restore's thread kept one as large as the
     * largest tree pack it had read (6 MiB for the kernel tree, up to the pack size).
     */
    public static byte[] readAll(java.nio.file.Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 8) {
                throw new IOException(file + " is too large to read at once (" + size + " bytes)");
            }
            byte[] out = new byte[(int) size];
            int n = read(ch, out, 0, out.length, 0);
            return n < out.length ? java.util.Arrays.copyOf(out, n) : out; // it shrank meanwhile
        }
    }

    /** Reads into b[off, off+len) from pos; returns the bytes read, fewer than len only at the end of the file. */
    public static int read(FileChannel ch, byte[] b, int off, int len, long pos) throws IOException {
        int done = 0;
        while (done < len) {
            int n = ch.read(ByteBuffer.wrap(b, off + done, Math.min(len - done, SLICE)), pos + done);
            if (n < 0) {
                break;
            }
            done += n;
        }
        return done;
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
