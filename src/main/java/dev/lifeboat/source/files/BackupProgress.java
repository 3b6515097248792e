package dev.lifeboat.source.files;

import java.nio.file.Path;

/** What a running backup reports, so the CLI can draw progress without the backup knowing how. */
public interface BackupProgress {
    BackupProgress NONE = new BackupProgress() {
    };

    /** Whether totals are wanted; counting them costs a second walk over the metadata. */
    default boolean wantsTotals() {
        return false;
    }

    /** Totals from the scan, once known (may arrive while the backup already runs). */
    default void scanned(long files, long bytes) {
    }

    default void fileDone(Path path, long bytes, boolean unchanged) {
    }

    default void bytesRead(long n) {
    }

    default void warning(String message) {
    }

    default void finished() {
    }
}
