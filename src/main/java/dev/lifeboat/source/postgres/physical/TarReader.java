package dev.lifeboat.source.postgres.physical;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the ustar stream pg_basebackup writes. Entry content is read through {@link #content()},
 * which stops at the entry's end; the rest of an entry is skipped by the next {@link #next()}.
 */
final class TarReader {
    record Entry(String name, char type, int mode, int uid, int gid, String user, String group, long size,
                 long mtimeSeconds, String linkTarget) {
        boolean isDir() {
            return type == '5';
        }

        boolean isFile() {
            return type == '0' || type == '\0' || type == '7';
        }

        boolean isSymlink() {
            return type == '2';
        }
    }

    private final InputStream in;
    private final byte[] header = new byte[512];
    private long remaining;
    private long padding;
    private String longName;

    TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. */
    Entry next() throws IOException {
        skip(remaining + padding);
        remaining = 0;
        padding = 0;
        while (true) {
            if (!readFully(header, true)) {
                return null;
            }
            if (allZero(header)) {
                return null;
            }
            checkChecksum();
            char type = (char) header[156];
            long size = number(124, 12);
            if (type == 'L') {
                byte[] n = new byte[(int) size];
                readFully(n, false);
                skip(pad(size));
                longName = cString(n, 0, n.length);
                continue;
            }
            if (type == 'x' || type == 'g') {
                skip(size + pad(size));
                continue;
            }
            String name = longName != null ? longName : fullName();
            longName = null;
            if (name.startsWith("./")) {
                name = name.substring(2);
            }
            while (name.endsWith("/")) {
                name = name.substring(0, name.length() - 1);
            }
            if (name.isEmpty() || name.startsWith("/") || name.equals("..") || name.startsWith("../") || name.contains("/../")) {
                throw new IOException("unsafe name in the base backup stream: " + name);
            }
            Entry e = new Entry(name, type, (int) number(100, 8), (int) number(108, 8), (int) number(116, 8),
                    cString(header, 265, 32), cString(header, 297, 32), size, number(136, 12), cString(header, 157, 100));
            if (e.isFile()) {
                remaining = size;
                padding = pad(size);
            } else {
                skip(size + pad(size));
            }
            return e;
        }
    }

    /** The current file entry's content; reads end at the entry's end. */
    InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining == 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) {
                    throw new EOFException("the base backup stream ended inside a file (pg_basebackup stopped?)");
                }
                remaining -= n;
                return n;
            }
        };
    }

    private String fullName() {
        String name = cString(header, 0, 100);
        boolean ustar = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a' && header[261] == 'r';
        String prefix = ustar ? cString(header, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private void checkChecksum() throws IOException {
        long stored = number(148, 8);
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
        }
        if (sum != stored) {
            throw new IOException("the base backup stream is damaged (tar header checksum mismatch)");
        }
    }

    private long number(int off, int len) throws IOException {
        if ((header[off] & 0x80) != 0) {
            long v = 0;
            for (int i = off + 1; i < off + len; i++) {
                v = v << 8 | (header[i] & 0xff);
            }
            return v;
        }
        long v = 0;
        for (int i = off; i < off + len; i++) {
            byte b = header[i];
            if (b == 0 || b == ' ') {
                if (v > 0 || i > off) {
                    // trailing terminator
                    boolean rest = true;
                    for (int j = i; j < off + len; j++) {
                        rest &= header[j] == 0 || header[j] == ' ';
                    }
                    if (rest) {
                        break;
                    }
                }
                continue;
            }
            if (b < '0' || b > '7') {
                throw new IOException("the base backup stream is damaged (bad number in a tar header)");
            }
            v = v << 3 | (b - '0');
        }
        return v;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static long pad(long size) {
        return (512 - size % 512) % 512;
    }

    private boolean readFully(byte[] b, boolean eofOk) throws IOException {
        int off = 0;
        while (off < b.length) {
            int n = in.read(b, off, b.length - off);
            if (n < 0) {
                if (eofOk && off == 0) {
                    return false;
                }
                throw new EOFException("the base backup stream ended early (pg_basebackup stopped?)");
            }
            off += n;
        }
        return true;
    }

    private void skip(long n) throws IOException {
        byte[] buf = n > 0 ? new byte[(int) Math.min(n, 65536)] : null;
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(n, buf.length));
            if (r < 0) {
                throw new EOFException("the base backup stream ended early (pg_basebackup stopped?)");
            }
            n -= r;
        }
    }
}
