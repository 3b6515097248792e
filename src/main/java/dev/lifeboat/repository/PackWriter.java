package dev.lifeboat.repository;

import dev.lifeboat.crypto.Aead;
import dev.lifeboat.util.SlicedIo;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Assembles one pack file in a staging file: sealed blobs back to back, then the sealed header
 * and its length. The pack's name is the SHA-256 of its bytes, computed while writing.
 */
final class PackWriter {
    static final int HEADER_ENTRY = 1 + 1 + 4 + 4 + BlobId.LENGTH;

    private final Path file;
    private final DigestOutputStream out;
    private final List<PackEntry> entries = new ArrayList<>();
    private long size;

    PackWriter(Path stagingDir) throws IOException {
        this.file = Files.createTempFile(stagingDir, "pack-", ".tmp");
        try {
            this.out = new DigestOutputStream(new BufferedOutputStream(SlicedIo.sliced(Files.newOutputStream(file)), 1 << 16),
                    MessageDigest.getInstance("SHA-256"));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Appends a sealed blob; the entry's pack id is filled in by {@link #finish}. */
    void add(BlobId id, BlobType type, byte[] sealed, int off, int len, int rawLength, int flags) throws IOException {
        out.write(sealed, off, len);
        entries.add(new PackEntry(id, type, null, size, len, rawLength, flags));
        size += len;
    }

    /** Seals a blob's stored form payload[off, off+len), bound to its id, straight into the pack; returns the sealed length. */
    int addSealing(BlobId id, BlobType type, Aead aead, byte[] payload, int off, int len, byte[] scratch,
                   int rawLength, boolean compressed) throws IOException {
        int n = aead.sealTo(payload, off, len, out, scratch, PackEntry.associatedData(type, id));
        entries.add(new PackEntry(id, type, null, size, n, rawLength, PackEntry.flags(compressed)));
        size += n;
        return n;
    }

    long size() {
        return size;
    }

    int count() {
        return entries.size();
    }

    record Finished(BlobId id, Path file, List<PackEntry> entries, long size) {
    }

    Finished finish(Aead aead) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(entries.size() * HEADER_ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        for (PackEntry e : entries) {
            header.put((byte) e.type().code).put((byte) e.flags()).putInt(e.length()).putInt(e.rawLength());
            header.put(e.id().bytes());
        }
        byte[] sealedHeader = aead.seal(header.array());
        out.write(sealedHeader);
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(sealedHeader.length).array());
        out.close();
        BlobId id = BlobId.of(out.getMessageDigest().digest());
        List<PackEntry> placed = new ArrayList<>(entries.size());
        for (PackEntry e : entries) {
            placed.add(e.in(id));
        }
        return new Finished(id, file, placed, size + sealedHeader.length + 4);
    }

    void abandon() {
        try {
            out.close();
        } catch (IOException ignored) {
            // the staging file is deleted next; nothing to keep
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // left in tmp/, which prune clears
        }
    }

}
