package dev.lifeboat.repository;

import java.io.IOException;

/** Loading and storing tree blobs; trees get packs of their own so walking snapshots reads little. */
public final class Trees implements AutoCloseable {
    private final Repository repo;
    private final BlobWriter writer;
    private long added;
    private long blobs;

    public Trees(Repository repo) {
        this.repo = repo;
        this.writer = repo.newBlobWriter();
    }

    public static Tree load(Repository repo, BlobId id) throws IOException {
        return Tree.parse(repo.loadBlob(id), id);
    }

    public synchronized BlobId save(Tree tree) throws IOException {
        byte[] bytes = tree.toBytes();
        BlobId id = repo.blobId(bytes, 0, bytes.length);
        int n = writer.store(id, BlobType.TREE, bytes, 0, bytes.length);
        if (n > 0) {
            added += n;
            blobs++;
        }
        return id;
    }

    public synchronized long bytesAdded() {
        return added;
    }

    public synchronized long blobsAdded() {
        return blobs;
    }

    /** See {@link BlobWriter#startFlush}. */
    public synchronized void startFlush() throws IOException {
        writer.startFlush();
    }

    public synchronized void flush() throws IOException {
        writer.flush();
    }

    @Override
    public synchronized void close() {
        writer.close();
    }
}
