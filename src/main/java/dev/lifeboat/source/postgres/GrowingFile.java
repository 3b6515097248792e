package dev.lifeboat.source.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.BooleanSupplier;

/**
 * Reads a file while another process is still writing it: at end of file it waits until the
 * writer has either written more or closed the file. Lets a table be stored as pg_dump writes
 * it instead of after, and counts the lines read (a COPY text row is exactly one line).
 */
final class GrowingFile extends InputStream {
    private final FileChannel channel;
    private final BooleanSupplier complete;
    private final BooleanSupplier failed;
    private final Path file;
    private final java.util.concurrent.atomic.AtomicLong consumed;
    private long newlines;
    private long punched;

    /** Gives back disk space of what has been read every so many bytes (a hole punched at the start of the file). */
    private final long punchEvery;
    private static volatile boolean punchWorks = true;

    /**
     * @param consumed   updated with the bytes read so far, for whoever watches the backlog
     * @param punchEvery how much of the file may stay on disk after it was read; each punch starts
     *                   a process, a few milliseconds of a core, so not every few megabytes
     */
    GrowingFile(Path file, BooleanSupplier complete, BooleanSupplier failed, java.util.concurrent.atomic.AtomicLong consumed,
                long punchEvery) throws IOException {
        this.punchEvery = Math.max(1 << 20, punchEvery);
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.file = file;
        this.complete = complete;
        this.failed = failed;
        this.consumed = consumed;
    }

    long newlines() {
        return newlines;
    }

    private final byte[] ring = new byte[16];
    private long total;

    /** The last bytes read (up to 16). */
    byte[] tail() {
        int n = (int) Math.min(total, ring.length);
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = ring[(int) ((total - n + i) % ring.length)];
        }
        return out;
    }

    /**
     * How many newlines follow the "\." end-of-data line of COPY text data ending in {@code tail},
     * or -1 when the data does not end that way (cut short).
     */
    static int endOfCopyData(byte[] tail) {
        int k = 0;
        int i = tail.length - 1;
        while (i >= 0 && tail[i] == '\n') {
            k++;
            i--;
        }
        boolean marker = i >= 1 && tail[i] == '.' && tail[i - 1] == '\\' && (i == 1 || tail[i - 2] == '\n');
        return marker && k >= 1 ? k : -1;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            // Check completion before reading: data written before the close is then surely visible.
            boolean done = complete.getAsBoolean();
            int n = channel.read(ByteBuffer.wrap(b, off, len));
            if (n > 0) {
                count(b, off, n);
                for (int i = Math.max(off, off + n - ring.length); i < off + n; i++) {
                    ring[(int) ((total + i - off) % ring.length)] = b[i];
                }
                total += n;
                long at = consumed.addAndGet(n);
                if (at - punched >= punchEvery) {
                    punch(at & ~4095L);
                }
                return n;
            }
            if (done) {
                return -1;
            }
            if (failed.getAsBoolean()) {
                throw new IOException("pg_dump stopped before finishing this file");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for pg_dump");
            }
        }
    }

    /**
     * Frees the blocks already read while pg_dump keeps appending, so a table larger than the
     * free space can still pass through. Java has no fallocate, so util-linux's does it; where
     * that fails (no tool, a file system without holes) the file simply keeps its blocks.
     */
    private void punch(long upTo) {
        punched = upTo;
        if (!punchWorks || upTo <= 0) {
            return;
        }
        try {
            Process p = new ProcessBuilder("fallocate", "--punch-hole", "--offset", "0", "--length", String.valueOf(upTo),
                    file.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor() != 0) {
                punchWorks = false;
            }
        } catch (IOException e) {
            punchWorks = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0a0a0a0a0a0a0a0aL;
    private static final long LOW7 = 0x7f7f7f7f7f7f7f7fL;

    /** Counts '\n' eight bytes at a time: a byte of x ^ NEWLINES is zero exactly where a newline is. */
    private void count(byte[] b, int off, int n) {
        long c = 0;
        int i = off;
        int end = off + n;
        for (; i + 8 <= end; i += 8) {
            long x = (long) LONGS.get(b, i) ^ NEWLINES;
            // High bit set in each byte that is zero; exact, no false positives from borrows.
            long zeros = ~(((x & LOW7) + LOW7) | x | LOW7);
            c += Long.bitCount(zeros);
        }
        for (; i < end; i++) {
            if (b[i] == '\n') {
                c++;
            }
        }
        newlines += c;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
