package dev.lifeboat.repository;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/** A file's content: the concatenation of its blobs, read one blob at a time. */
public final class Content {
    private Content() {
    }

    public static void writeTo(Repository repo, List<String> ids, OutputStream out) throws IOException {
        for (String id : ids == null ? List.<String>of() : ids) {
            out.write(repo.loadBlob(BlobId.parse(id)));
        }
    }

    public static InputStream stream(Repository repo, List<String> ids) {
        return new Stream(repo, ids == null ? List.of() : ids);
    }

    private static final class Stream extends InputStream {
        private final Repository repo;
        private final List<String> ids;
        private int next;
        private byte[] cur = new byte[0];
        private int pos;

        Stream(Repository repo, List<String> ids) {
            this.repo = repo;
            this.ids = ids;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (pos == cur.length) {
                if (next == ids.size()) {
                    return -1;
                }
                cur = repo.loadBlob(BlobId.parse(ids.get(next++)));
                pos = 0;
            }
            int n = Math.min(len, cur.length - pos);
            System.arraycopy(cur, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
