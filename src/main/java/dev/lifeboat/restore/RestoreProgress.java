package dev.lifeboat.restore;

/** What a running restore reports; the CLI turns it into a progress bar. */
public interface RestoreProgress {
    RestoreProgress NONE = new RestoreProgress() {
    };

    default void planned(long files, long bytes) {
    }

    default void bytesWritten(long n) {
    }

    default void fileDone(long bytes) {
    }

    default void finished() {
    }
}
