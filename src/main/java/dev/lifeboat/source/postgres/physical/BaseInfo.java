package dev.lifeboat.source.postgres.physical;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryException;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.util.Json;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a physical base backup records beside the files: where its WAL starts and ends, on which
 * timeline, and enough to pick the right backup for a recovery target.
 *
 * @param nextXid the first transaction id (full 64-bit xid8) not yet assigned once the backup had
 *                started: every transaction from it on commits after the backup's redo point, so
 *                recovery from this backup sees its commit (Long.MAX_VALUE when unknown)
 */
public record BaseInfo(String serverVersion, int serverMajor, String systemId, int timeline, String startLsn,
                       String stopLsn, String checkpointLsn, Instant startTime, Instant stopTime, int segmentSize,
                       long nextXid, String server, String label, int blockSize, boolean walIncluded) {
    public static final String KIND = "pgbase";
    public static final String KEY = "pgbase";

    public Lsn start() {
        return Lsn.parse(startLsn);
    }

    public Lsn stop() {
        return Lsn.parse(stopLsn);
    }

    public long system() {
        return Long.parseUnsignedLong(systemId);
    }

    public Map<String, Object> toMeta() {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put(KEY, Json.MAPPER.convertValue(this, new TypeReference<Map<String, Object>>() { }));
        return meta;
    }

    public static BaseInfo of(SnapshotRef ref) throws RepositoryException {
        Snapshot s = ref.snapshot();
        if (!KIND.equals(s.kind()) || s.meta() == null || s.meta().get(KEY) == null) {
            throw new RepositoryException("snapshot " + ref.shortId() + " is a " + s.kind()
                    + " snapshot, not a physical base backup (see 'lifeboat snapshots')");
        }
        return Json.MAPPER.convertValue(s.meta().get(KEY), BaseInfo.class);
    }

    public record Base(SnapshotRef ref, BaseInfo info) {
    }

    /** Every base backup in the repository, oldest first. */
    public static List<Base> all(Repository repo) throws IOException {
        List<Base> out = new ArrayList<>();
        for (SnapshotRef r : Snapshots.all(repo)) {
            if (KIND.equals(r.snapshot().kind())) {
                out.add(new Base(r, of(r)));
            }
        }
        out.sort(Comparator.comparing(b -> b.info().stopTime()));
        return out;
    }
}
