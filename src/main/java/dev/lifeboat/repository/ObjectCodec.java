package dev.lifeboat.repository;

import com.github.luben.zstd.Zstd;
import dev.lifeboat.crypto.Aead;
import dev.lifeboat.crypto.AuthenticationException;

import java.io.IOException;
import java.util.Arrays;

/**
 * Whole objects (config, snapshots, index files, locks): one format byte (0 raw, 1 zstd) then
 * the payload, sealed with the repository key.
 */
public final class ObjectCodec {
    private static final int RAW = 0;
    private static final int ZSTD = 1;

    private final Aead aead;
    private final int level;

    public ObjectCodec(Aead aead, int level) {
        this.aead = aead;
        this.level = level;
    }

    public byte[] encode(byte[] plain) {
        byte[] packed = plain;
        int format = RAW;
        if (plain.length > 64) {
            byte[] z = Zstd.compress(plain, level);
            if (z.length < plain.length) {
                packed = z;
                format = ZSTD;
            }
        }
        byte[] framed = new byte[packed.length + 1];
        framed[0] = (byte) format;
        System.arraycopy(packed, 0, framed, 1, packed.length);
        return aead.seal(framed);
    }

    public byte[] decode(byte[] sealed, String name) throws IOException {
        byte[] framed;
        try {
            framed = aead.open(sealed);
        } catch (AuthenticationException e) {
            throw new CorruptObjectException(name, "does not authenticate (corrupt, or encrypted with another key)");
        }
        if (framed.length == 0) {
            throw new CorruptObjectException(name, "is empty");
        }
        byte[] payload = Arrays.copyOfRange(framed, 1, framed.length);
        return switch (framed[0]) {
            case RAW -> payload;
            case ZSTD -> decompress(payload, name);
            default -> throw new CorruptObjectException(name, "has unknown format " + framed[0]);
        };
    }

    private static byte[] decompress(byte[] z, String name) throws CorruptObjectException {
        long size = Zstd.getFrameContentSize(z);
        if (size < 0 || size > Integer.MAX_VALUE - 16) {
            throw new CorruptObjectException(name, "has an invalid compressed payload");
        }
        try {
            return Zstd.decompress(z, (int) size);
        } catch (RuntimeException e) {
            throw new CorruptObjectException(name, "has an invalid compressed payload");
        }
    }
}
