package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.repository.Repository;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * WAL follows the base backups the keep rules leave: a cluster's WAL segments that end before the
 * start of its oldest remaining base backup can serve no recovery and are removed. WAL of a
 * cluster with no base backup at all is kept (nothing says what it is for); history files are
 * tiny and always kept.
 */
public final class WalRetention {
    public record Result(int objects, long bytes, boolean dryRun) {
    }

    private WalRetention() {
    }

    public static Result prune(Repository repo, boolean dryRun) throws IOException {
        Map<Long, BaseInfo> oldest = new HashMap<>();
        for (BaseInfo.Base b : BaseInfo.all(repo)) {
            oldest.merge(b.info().system(), b.info(), (a, c) -> c.start().before(a.start()) ? c : a);
        }
        WalArchive archive = new WalArchive(repo);
        Map<String, Long> sizes = new HashMap<>();
        for (var o : repo.list(WalArchive.DIR)) {
            sizes.put(o.name(), o.size());
        }
        int objects = 0;
        long bytes = 0;
        for (long sys : archive.systems()) {
            BaseInfo base = oldest.get(sys);
            if (base == null) {
                continue;
            }
            long firstNeeded = WalName.segnoOf(base.start(), base.segmentSize());
            List<WalArchive.Piece> pieces = archive.pieces(sys);
            for (WalArchive.Piece p : pieces) {
                if (p.segno(base.segmentSize()) < firstNeeded) {
                    objects++;
                    bytes += sizes.getOrDefault(p.object(), 0L);
                    if (!dryRun) {
                        archive.delete(p);
                    }
                }
            }
        }
        return new Result(objects, bytes, dryRun);
    }
}
