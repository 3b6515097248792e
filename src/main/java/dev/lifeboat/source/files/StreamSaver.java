package dev.lifeboat.source.files;

import dev.lifeboat.chunking.StreamChunker;
import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.BlobType;
import dev.lifeboat.repository.BlobWriter;
import dev.lifeboat.repository.Repository;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Chunks a stream and stores each new chunk: the per-thread hot path of every backup. A failure
 * to read the source surfaces as IOException; a failure to write the repository as
 * {@link StoreFailedException}, so callers can skip an unreadable file but abort on a broken repository.
 */
public final class StreamSaver implements AutoCloseable {
    private final Repository repo;
    private final StreamChunker chunker;
    private final BlobWriter writer;

    public StreamSaver(Repository repo) {
        this(repo, repo.config().compressionLevel());
    }

    /** A saver compressing at {@code level} rather than the repository's default; readers don't care which. */
    public StreamSaver(Repository repo, int level) {
        this.repo = repo;
        this.chunker = new StreamChunker(repo.chunker());
        this.writer = repo.newBlobWriter(level);
    }

    public record Saved(List<String> content, long size, long bytesAdded, int blobsAdded) {
    }

    public Saved save(InputStream in, LongConsumer bytesRead) throws IOException {
        List<String> content = new ArrayList<>();
        long[] added = new long[2];
        long size = chunker.split(in, (buf, off, len) -> {
            BlobId id = repo.blobId(buf, off, len);
            int n;
            try {
                n = writer.store(id, BlobType.DATA, buf, off, len);
            } catch (IOException e) {
                throw new StoreFailedException(e);
            }
            if (n > 0) {
                added[0] += n;
                added[1]++;
            }
            content.add(id.hex());
            bytesRead.accept(len);
        });
        return new Saved(content, size, added[0], (int) added[1]);
    }

    /**
     * Stores buf[off, off+len) as fixed-size blocks (the last may be shorter): for page-aligned
     * data such as PostgreSQL relation files, where a changed page changes only its own block.
     */
    public Saved saveBlocks(byte[] buf, int off, int len, int blockSize) throws IOException {
        List<String> content = new ArrayList<>((len + blockSize - 1) / blockSize);
        long added = 0;
        int blobs = 0;
        for (int p = off; p < off + len; p += blockSize) {
            int n = Math.min(blockSize, off + len - p);
            BlobId id = repo.blobId(buf, p, n);
            int stored = writer.store(id, BlobType.DATA, buf, p, n);
            if (stored > 0) {
                added += stored;
                blobs++;
            }
            content.add(id.hex());
        }
        return new Saved(content, len, added, blobs);
    }

    /** See {@link dev.lifeboat.repository.BlobWriter#startFlush}. */
    public void startFlush() throws IOException {
        writer.startFlush();
    }

    public void flush() throws IOException {
        writer.flush();
    }

    @Override
    public void close() {
        writer.close();
    }

    /** The repository could not be written; the backup must stop. */
    public static final class StoreFailedException extends UncheckedIOException {
        public StoreFailedException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
