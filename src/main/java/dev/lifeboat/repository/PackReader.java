package dev.lifeboat.repository;

import dev.lifeboat.crypto.Aead;
import dev.lifeboat.crypto.AuthenticationException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Parses a pack's trailing header (from the whole pack's bytes, or from just its tail). */
public final class PackReader {
    private PackReader() {
    }

    /** Reads the header of a complete pack held in memory. */
    public static List<PackEntry> header(byte[] pack, BlobId packId, Aead aead) throws CorruptObjectException {
        String name = Repository.packName(packId);
        if (pack.length < 4) {
            throw new CorruptObjectException(name, "is truncated");
        }
        int headerLength = ByteBuffer.wrap(pack, pack.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (headerLength < Aead.OVERHEAD || headerLength > pack.length - 4) {
            throw new CorruptObjectException(name, "has an invalid header length");
        }
        int headerStart = pack.length - 4 - headerLength;
        byte[] plain;
        try {
            plain = aead.open(pack, headerStart, headerLength);
        } catch (AuthenticationException e) {
            throw new CorruptObjectException(name, "has a header that does not authenticate");
        }
        if (plain.length % PackWriter.HEADER_ENTRY != 0) {
            throw new CorruptObjectException(name, "has a malformed header");
        }
        ByteBuffer bb = ByteBuffer.wrap(plain).order(ByteOrder.LITTLE_ENDIAN);
        List<PackEntry> out = new ArrayList<>();
        long offset = 0;
        while (bb.hasRemaining()) {
            BlobType type;
            try {
                type = BlobType.of(bb.get());
            } catch (IllegalArgumentException e) {
                throw new CorruptObjectException(name, "has a header with an unknown blob type");
            }
            int flags = PackEntry.checkedFlags(bb.get(), name);
            int length = bb.getInt();
            int raw = bb.getInt();
            BlobId id = BlobId.read(bb.order(ByteOrder.BIG_ENDIAN));
            bb.order(ByteOrder.LITTLE_ENDIAN);
            if (length < Aead.OVERHEAD || offset + length > headerStart) {
                throw new CorruptObjectException(name, "has a header entry outside the pack");
            }
            out.add(new PackEntry(id, type, packId, offset, length, raw, flags));
            offset += length;
        }
        return out;
    }
}
