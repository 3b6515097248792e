package dev.lifeboat.repository;

/** A snapshot with the id it is stored under. */
public record SnapshotRef(BlobId id, Snapshot snapshot) {
    public String shortId() {
        return id.shortHex();
    }
}
