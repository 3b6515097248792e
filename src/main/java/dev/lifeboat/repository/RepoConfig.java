package dev.lifeboat.repository;

import dev.lifeboat.chunking.ChunkerParams;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Repository-wide settings, stored sealed in "config". The id key and chunker seed are secret and
 * are what copies of a repository share so that their blob ids and chunk boundaries agree.
 */
public record RepoConfig(int version, String id, int chunkerMin, int chunkerAvg, int chunkerMax,
                         String chunkerSeed, String idKey, int compressionLevel, int packSize) {
    public static final int VERSION = 1;
    public static final int DEFAULT_PACK_SIZE = 16 * 1024 * 1024;

    public static RepoConfig create(ChunkerParams chunker, int compressionLevel, int packSize) {
        SecureRandom r = new SecureRandom();
        byte[] id = new byte[32];
        byte[] seed = new byte[32];
        byte[] key = new byte[32];
        r.nextBytes(id);
        r.nextBytes(seed);
        r.nextBytes(key);
        HexFormat hex = HexFormat.of();
        return new RepoConfig(VERSION, hex.formatHex(id), chunker.min(), chunker.avg(), chunker.max(),
                hex.formatHex(seed), hex.formatHex(key), compressionLevel, packSize);
    }

    /** A config for a new repository that is a copy of this one: same chunking and blob ids, own id. */
    public RepoConfig copyWithNewId() {
        byte[] id = new byte[32];
        new SecureRandom().nextBytes(id);
        return new RepoConfig(VERSION, HexFormat.of().formatHex(id), chunkerMin, chunkerAvg, chunkerMax,
                chunkerSeed, idKey, compressionLevel, packSize);
    }

    public ChunkerParams chunker() {
        return new ChunkerParams(chunkerMin, chunkerAvg, chunkerMax);
    }

    public byte[] chunkerSeedBytes() {
        return HexFormat.of().parseHex(chunkerSeed);
    }

    public byte[] idKeyBytes() {
        return HexFormat.of().parseHex(idKey);
    }

    @Override
    public String toString() {
        return "RepoConfig[id=" + id + ", chunker=" + chunkerMin + "/" + chunkerAvg + "/" + chunkerMax
                + ", compression=" + compressionLevel + ", packSize=" + packSize + "]";
    }
}
