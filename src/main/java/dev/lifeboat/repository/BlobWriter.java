package dev.lifeboat.repository;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import dev.lifeboat.crypto.Aead;

import java.io.IOException;

/**
 * Compresses, seals and packs blobs for one thread, reusing its buffer and zstd context so the
 * per-chunk hot path allocates nothing. The buffer is kept at the largest blob seen (at most the
 * max chunk size): allocating large buffers per chunk grew the heap well beyond what was live.
 * Not thread-safe: each worker owns one.
 */
public final class BlobWriter implements AutoCloseable {
    private final Repository repo;
    private final ZstdCompressCtx zstd = new ZstdCompressCtx();
    private byte[] sealed = new byte[0];
    private PackWriter pack;

    BlobWriter(Repository repo, int level) {
        this.repo = repo;
        zstd.setLevel(level);
    }

    /**
     * Stores the blob unless the repository already has it (or another writer is storing it).
     * Returns the bytes added to packs (0 for a duplicate).
     */
    public int store(BlobId id, BlobType type, byte[] buf, int off, int len) throws IOException {
        if (!repo.reserve(id)) {
            return 0;
        }
        try {
            // One buffer, kept: compressed straight behind the nonce's place and sealed where it lies.
            int need = Aead.sealedLength((int) Zstd.compressBound(len)); // the bound is at least len: raw fits too
            if (sealed.length < need) {
                sealed = new byte[need];
            }
            int zlen = zstd.compressByteArray(sealed, Aead.NONCE_LENGTH, sealed.length - Aead.OVERHEAD, buf, off, len);
            // Keep compression only when it saves something worth the decompression on restore.
            boolean useZ = zlen < len - (len >> 5);
            int n;
            if (useZ) {
                n = repo.aead().sealInPlace(sealed, 0, zlen);
            } else {
                n = repo.aead().seal(buf, off, len, sealed, 0);
            }
            addToPack(id, type, sealed, 0, n, len, useZ);
            return n;
        } catch (IOException | RuntimeException e) {
            repo.release(id);
            throw e;
        }
    }

    /**
     * Stores a blob given in its stored form, payload[0, len): compressed already when
     * {@code compressed}, verified by the caller ({@link Repository#openStored}). It is only sealed
     * under this repository's key. Returns the bytes added to packs (0 for a duplicate).
     */
    public int storeStored(BlobId id, BlobType type, byte[] payload, int len, int rawLength, boolean compressed) throws IOException {
        if (!repo.reserve(id)) {
            return 0;
        }
        try {
            int need = Aead.sealedLength(len);
            if (sealed.length < need) {
                sealed = new byte[need];
            }
            int n = repo.aead().seal(payload, 0, len, sealed, 0);
            addToPack(id, type, sealed, 0, n, rawLength, compressed);
            return n;
        } catch (IOException | RuntimeException e) {
            repo.release(id);
            throw e;
        }
    }

    private void addToPack(BlobId id, BlobType type, byte[] buf, int off, int len, int rawLength, boolean compressed)
            throws IOException {
        if (pack == null) {
            pack = new PackWriter(repo.storage().stagingDir());
        }
        pack.add(id, type, buf, off, len, rawLength, compressed);
        if (pack.size() >= repo.config().packSize()) {
            PackWriter full = pack;
            pack = null;
            repo.commitPackInBackground(full);
        }
    }

    /** Appends an already sealed blob, verified by the caller (prune's repacking and copies). */
    public void storeSealed(PackEntry e, byte[] buf, int off) throws IOException {
        addToPack(e.id(), e.type(), buf, off, e.length(), e.rawLength(), e.compressed());
    }

    /** Finishes the current pack and stores it with its index entries; returns once every pack of the repository is stored. */
    /**
     * Hands the open pack to the background uploader without waiting: several writers ending at
     * once upload their last packs side by side. {@link Repository#flushIndex} waits for them.
     */
    public void startFlush() throws IOException {
        if (pack != null) {
            PackWriter p = pack;
            pack = null;
            repo.commitPackInBackground(p);
        }
    }

    public void flush() throws IOException {
        if (pack != null) {
            PackWriter p = pack;
            pack = null;
            repo.commitPack(p);
        }
        repo.awaitUploads();
    }

    /** Drops an unfinished pack (the backup failed); its blobs were never indexed. */
    public void abandon() {
        if (pack != null) {
            pack.abandon();
            pack = null;
        }
    }

    @Override
    public void close() {
        abandon();
        zstd.close();
    }
}
