package dev.lifeboat.repository;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The root of one backup: when, of what, from where, and the tree holding it. Written last, so a
 * snapshot that exists refers only to data already stored.
 */
public record Snapshot(int version, Instant time, String tree, String parent, List<String> paths, String hostname,
                       String username, List<String> tags, String kind, List<String> excludes, Summary summary,
                       Map<String, Object> meta, String program) {

    /** What a backup did; errors lists sources that could not be read. */
    public record Summary(Instant start, Instant end, long filesNew, long filesChanged, long filesUnmodified,
                          long dirs, long dataBlobs, long treeBlobs, long bytesAdded, long bytesProcessed,
                          long totalFiles, long totalBytes, List<String> errors) {
    }
}
