package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.repository.Repository;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/** What WAL the repository holds per cluster and timeline, its gaps, and the window each base backup can recover into. */
public final class WalCheck {
    public record Gap(int timeline, String missing, Lsn from, Lsn resumesAt) {
    }

    public record TimelineReport(int timeline, int segments, String first, String last, Lsn end, List<Gap> gaps) {
    }

    /** A base backup's point-in-time recovery window: any point from {@code from} to {@code to}. */
    public record Window(String snapshot, Lsn from, Instant fromTime, Lsn to, Instant toTime, int timeline,
                         String missing) {
    }

    public record SystemReport(String systemId, int segmentSize, List<TimelineReport> timelines, List<Window> windows) {
        public boolean hasGaps() {
            return timelines.stream().anyMatch(t -> !t.gaps().isEmpty()) || windows.stream().anyMatch(w -> w.missing() != null);
        }
    }

    private WalCheck() {
    }

    public static List<SystemReport> run(Repository repo) throws IOException {
        WalArchive archive = new WalArchive(repo);
        List<BaseInfo.Base> bases = BaseInfo.all(repo);
        TreeSet<Long> systems = new TreeSet<>(archive.systems());
        bases.forEach(b -> systems.add(b.info().system()));
        List<SystemReport> out = new ArrayList<>();
        for (long sys : systems) {
            int segSize = segmentSize(archive, sys, bases);
            WalCoverage cov = new WalCoverage(archive, sys, segSize);
            out.add(new SystemReport(Long.toUnsignedString(sys), segSize, timelines(cov, segSize), windows(cov, sys, bases)));
        }
        return out;
    }

    private static int segmentSize(WalArchive archive, long sys, List<BaseInfo.Base> bases) throws IOException {
        for (BaseInfo.Base b : bases) {
            if (b.info().system() == sys) {
                return b.info().segmentSize();
            }
        }
        List<WalArchive.Piece> ps = archive.pieces(sys);
        return ps.isEmpty() ? WalName.DEFAULT_SEGMENT_SIZE : archive.header(ps.get(0)).segmentSize();
    }

    private static List<TimelineReport> timelines(WalCoverage cov, int segSize) {
        TreeMap<Integer, TreeSet<Long>> byTli = new TreeMap<>();
        for (String seg : cov.segments().keySet()) {
            byTli.computeIfAbsent(WalName.timelineOf(seg), k -> new TreeSet<>()).add(WalName.segnoOf(seg, segSize));
        }
        List<TimelineReport> out = new ArrayList<>();
        for (var e : byTli.entrySet()) {
            int tli = e.getKey();
            List<Gap> gaps = new ArrayList<>();
            long prev = -1;
            for (long s : e.getValue()) {
                if (prev >= 0) {
                    int prefix = cov.storedPrefix(WalName.segment(tli, prev, segSize));
                    if (s > prev + 1 || prefix < segSize) {
                        long missingSeg = prefix < segSize ? prev : prev + 1;
                        gaps.add(new Gap(tli, WalName.segment(tli, missingSeg, segSize),
                                WalName.startOf(prev, segSize).plus(prefix), WalName.startOf(s, segSize)));
                    }
                }
                prev = s;
            }
            long first = e.getValue().first();
            long last = e.getValue().last();
            String lastName = WalName.segment(tli, last, segSize);
            out.add(new TimelineReport(tli, e.getValue().size(), WalName.segment(tli, first, segSize), lastName,
                    WalName.startOf(last, segSize).plus(cov.storedPrefix(lastName)), gaps));
        }
        return out;
    }

    private static List<Window> windows(WalCoverage cov, long sys, List<BaseInfo.Base> bases) throws IOException {
        List<Window> out = new ArrayList<>();
        for (BaseInfo.Base b : bases) {
            BaseInfo info = b.info();
            if (info.system() != sys) {
                continue;
            }
            List<WalCoverage.Span> path = cov.pathFrom(info);
            WalCoverage.Reach r = cov.reach(info.start(), path);
            boolean beyond = info.stop().before(r.end());
            out.add(new Window(b.ref().shortId(), info.stop(), info.stopTime(), beyond ? r.end() : info.stop(),
                    beyond && r.endTime() != null && r.endTime().isAfter(info.stopTime()) ? r.endTime() : info.stopTime(), path.get(path.size() - 1).timeline(),
                    r.missing()));
        }
        return out;
    }
}
