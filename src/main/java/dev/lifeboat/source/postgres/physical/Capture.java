package dev.lifeboat.source.postgres.physical;

import java.util.List;
import java.util.concurrent.Future;

/**
 * What a base backup read from the server, before it becomes a tree: the entries, the label and
 * the WAL span. {@code nextXid} is the first transaction id unassigned once the backup had started
 * (0 when unknown): every transaction from it on commits after the backup's redo point.
 */
record Capture(List<Entry> entries, String label, Lsn start, int timeline, Lsn stop, String method, int filesReused,
               long bytesReused, long nextXid) {

    /**
     * One path of the data directory. Files have either {@code parts} (being stored) or
     * {@code reused} (the parent backup's blocks, for a file unchanged since it).
     */
    record Entry(String path, String type, int mode, Integer uid, Integer gid, String user, String group, long size,
                 long mtimeNanos, String target, List<Future<BlockStore.Stored>> parts, List<String> reused) {
    }
}
