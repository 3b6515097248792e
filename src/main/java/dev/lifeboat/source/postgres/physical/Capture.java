package dev.lifeboat.source.postgres.physical;

import java.util.List;
import java.util.concurrent.Future;

/** What a base backup read from the server, before it becomes a tree: the entries, the label and the WAL span. */
record Capture(List<Entry> entries, String label, Lsn start, int timeline, Lsn stop, String method, int filesReused,
               long bytesReused) {

    /**
     * One path of the data directory. Files have either {@code parts} (being stored) or
     * {@code reused} (the parent backup's blocks, for a file unchanged since it).
     */
    record Entry(String path, String type, int mode, Integer uid, Integer gid, String user, String group, long size,
                 long mtimeNanos, String target, List<Future<BlockStore.Stored>> parts, List<String> reused) {
    }
}
