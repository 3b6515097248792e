package dev.lifeboat.repository;

/**
 * Where one blob lives: pack, byte offset and stored (sealed) length, the plaintext length, and
 * whether the plaintext was zstd-compressed before sealing.
 */
public record PackEntry(BlobId id, BlobType type, BlobId pack, long offset, int length, int rawLength, boolean compressed) {
}
