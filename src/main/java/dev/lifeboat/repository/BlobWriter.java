package dev.lifeboat.repository;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;
import dev.lifeboat.crypto.Aead;
import dev.lifeboat.util.GrowthRelease;

import java.io.IOException;

/**
 * Compresses, seals and packs blobs for one thread, reusing its buffers and zstd context so the
 * per-chunk hot path allocates nothing. Not thread-safe: each worker owns one.
 */
public final class BlobWriter implements AutoCloseable {
    private static final int SMALL = 128 * 1024;
    private static final int FIRST_BUFFER = Aead.sealedLength((int) Zstd.compressBound(2 * SMALL));

    private final Repository repo;
    private final ZstdCompressCtx zstd = new ZstdCompressCtx();
    private final GrowthRelease release = new GrowthRelease(256);
    private byte[] sealed = new byte[0];
    private byte[] scratch;
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
            int zlen = compress(buf, off, len);
            if (zlen < 0) {
                return addSealing(id, type, buf, off, len, len, false);
            }
            int n = repo.aead().sealInPlace(sealed, 0, zlen, PackEntry.associatedData(type, id));
            addToPack(id, type, sealed, 0, n, len, PackEntry.flags(true));
            return n;
        } catch (IOException | RuntimeException e) {
            repo.release(id);
            throw e;
        }
    }

    /**
     * Compresses buf[off, off+len) behind the nonce's place in the sealing buffer; returns the
     * compressed length, or -1 when compression would not save a 32nd of the blob (not worth the
     * decompression on restore). Large blobs get only the room a kept output may take, in a buffer
     * that doubles on demand: zstd stops at the first block that does not fit, so a try into too
     * small a buffer costs only the input read until then. Sized to the compression bound instead,
     * the buffer held over 8 MiB per worker for good after the first large chunk, compressible or
     * not. Small blobs get the whole bound: zstd-jni reports output that does not fit with an
     * exception, which would cost more than compressing a small blob.
     */
    private int compress(byte[] buf, int off, int len) {
        int room = len - (len >> 5) - 1; // the longest output worth keeping
        if (sealed.length < FIRST_BUFFER || release.giveBack(len <= SMALL, sealed.length > FIRST_BUFFER)) {
            sealed = new byte[FIRST_BUFFER];
        }
        if (len <= SMALL) {
            int zlen = zstd.compressByteArray(sealed, Aead.NONCE_LENGTH, sealed.length - Aead.OVERHEAD, buf, off, len);
            return zlen <= room ? zlen : -1;
        }
        while (true) {
            int cap = Math.min(room, sealed.length - Aead.OVERHEAD);
            try {
                return zstd.compressByteArray(sealed, Aead.NONCE_LENGTH, cap, buf, off, len);
            } catch (ZstdException e) {
                if (e.getErrorCode() != Zstd.errDstSizeTooSmall()) {
                    throw e;
                }
            }
            if (cap >= room) {
                return -1;
            }
            sealed = new byte[Aead.sealedLength(Math.min(room, 2 * cap))];
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
            return addSealing(id, type, payload, 0, len, rawLength, compressed);
        } catch (IOException | RuntimeException e) {
            repo.release(id);
            throw e;
        }
    }

    private void addToPack(BlobId id, BlobType type, byte[] buf, int off, int len, int rawLength, int flags)
            throws IOException {
        openPack().add(id, type, buf, off, len, rawLength, flags);
        rollPackIfFull();
    }

    private int addSealing(BlobId id, BlobType type, byte[] payload, int off, int len, int rawLength, boolean compressed)
            throws IOException {
        if (scratch == null) {
            scratch = Aead.sealScratch();
        }
        int n = openPack().addSealing(id, type, repo.aead(), payload, off, len, scratch, rawLength, compressed);
        rollPackIfFull();
        return n;
    }

    private PackWriter openPack() throws IOException {
        if (pack == null) {
            pack = new PackWriter(repo.storage().stagingDir());
        }
        return pack;
    }

    private void rollPackIfFull() throws IOException {
        if (pack.size() >= repo.config().packSize()) {
            PackWriter full = pack;
            pack = null;
            repo.commitPackInBackground(full);
        }
    }

    /** Appends an already sealed blob, verified by the caller (prune's repacking and copies). */
    public void storeSealed(PackEntry e, byte[] buf, int off) throws IOException {
        addToPack(e.id(), e.type(), buf, off, e.length(), e.rawLength(), e.flags());
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
