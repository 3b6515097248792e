package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.repository.RepositoryException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which WAL of one cluster the repository holds, read from object names alone: per segment the
 * stored prefix, per timeline its ancestry (from the history files), and from a starting point
 * how far recovery can replay before the WAL ends or a segment is missing.
 */
public final class WalCoverage {
    /** A timeline on the way to a target timeline: WAL in [begin, end) belongs to it; end null = still open. */
    public record Span(int timeline, Lsn begin, Lsn end) {
    }

    /**
     * How far replay gets from a starting point. {@code missing} names the first absent segment
     * when stored WAL continues after it (a gap), else null.
     */
    public record Reach(Lsn end, String lastSegment, String missing, Lsn resumesAt, Instant endTime) {
    }

    private final WalArchive archive;
    private final long systemId;
    private final int segmentSize;
    private final Map<String, List<WalArchive.Piece>> bySegment = new HashMap<>();
    private final TreeSet<Integer> timelines = new TreeSet<>();

    public WalCoverage(WalArchive archive, long systemId, int segmentSize) throws IOException {
        this.archive = archive;
        this.systemId = systemId;
        this.segmentSize = segmentSize;
        for (WalArchive.Piece p : archive.pieces(systemId)) {
            bySegment.computeIfAbsent(p.segment(), k -> new ArrayList<>()).add(p);
            timelines.add(p.timeline());
        }
        timelines.addAll(archive.historyTimelines(systemId));
    }

    public int segmentSize() {
        return segmentSize;
    }

    public TreeSet<Integer> timelines() {
        return timelines;
    }

    public int latestTimeline(int atLeast) {
        return timelines.isEmpty() ? atLeast : Math.max(atLeast, timelines.last());
    }

    public Map<String, List<WalArchive.Piece>> segments() {
        return bySegment;
    }

    /** The timelines leading to {@code target}, oldest first, from its history file. */
    public List<Span> path(int target) throws IOException {
        List<Span> out = new ArrayList<>();
        if (target > 1) {
            byte[] h = archive.history(systemId, target).orElseThrow(() -> new RepositoryException(
                    "the history of timeline " + target + " (" + WalName.history(target) + ") is not in the repository"));
            Lsn begin = Lsn.ZERO;
            for (String line : new String(h, StandardCharsets.UTF_8).split("\n")) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                String[] f = l.split("\\s+");
                Lsn sw = Lsn.parse(f[1]);
                out.add(new Span(Integer.parseInt(f[0]), begin, sw));
                begin = sw;
            }
            out.add(new Span(target, begin, null));
        } else {
            out.add(new Span(target, Lsn.ZERO, null));
        }
        return out;
    }

    /** The timeline whose file of segment {@code segno} recovery reads: the newest one begun by then. */
    public int timelineFor(long segno, List<Span> path) {
        int tli = path.get(0).timeline();
        for (Span s : path) {
            if (WalName.segnoOf(s.begin(), segmentSize) <= segno) {
                tli = s.timeline();
            }
        }
        return tli;
    }

    /** How many bytes from the segment's start are stored without a hole. */
    public int storedPrefix(String segment) {
        List<WalArchive.Piece> ps = bySegment.get(segment);
        if (ps == null) {
            return 0;
        }
        List<WalArchive.Piece> sorted = new ArrayList<>(ps);
        sorted.sort((a, b) -> Integer.compare(a.start(), b.start()));
        int covered = 0;
        for (WalArchive.Piece p : sorted) {
            if (p.start() <= covered) {
                covered = Math.max(covered, p.end());
            }
        }
        return covered;
    }

    /** The pieces that make up the stored prefix, in order, preferring whole segments. */
    public List<WalArchive.Piece> piecesFor(String segment) {
        List<WalArchive.Piece> ps = new ArrayList<>(bySegment.getOrDefault(segment, List.of()));
        ps.sort((a, b) -> a.start() != b.start() ? Integer.compare(a.start(), b.start()) : Integer.compare(b.end(), a.end()));
        List<WalArchive.Piece> out = new ArrayList<>();
        int covered = 0;
        for (WalArchive.Piece p : ps) {
            if (p.start() <= covered && p.end() > covered) {
                out.add(p);
                covered = p.end();
            }
        }
        return out;
    }

    /** Follows the path from {@code from} until the stored WAL ends or a segment is missing. */
    public Reach reach(Lsn from, List<Span> path) throws IOException {
        long segno = WalName.segnoOf(from, segmentSize);
        long lastStored = lastStoredSegno(path);
        String last = null;
        while (true) {
            int tli = timelineFor(segno, path);
            String name = WalName.segment(tli, segno, segmentSize);
            int prefix = storedPrefix(name);
            Lsn segStart = WalName.startOf(segno, segmentSize);
            if (prefix < segmentSize) {
                Lsn end = prefix == 0 ? segStart : segStart.plus(prefix);
                if (end.before(from)) {
                    end = from;
                }
                String missing = null;
                Lsn resumes = null;
                if (segno < lastStored) {
                    missing = name;
                    resumes = firstStoredAfter(segno, path);
                }
                String endSegment = prefix == 0 ? last : name;
                Instant time = endSegment == null ? null : endTime(endSegment);
                return new Reach(end, endSegment, missing, resumes, time);
            }
            last = name;
            segno++;
        }
    }

    private long lastStoredSegno(List<Span> path) {
        long max = -1;
        for (String seg : bySegment.keySet()) {
            // only segments recovery along this path reads: an ancestor timeline may go on past the switch
            long segno = WalName.segnoOf(seg, segmentSize);
            if (WalName.timelineOf(seg) == timelineFor(segno, path)) {
                max = Math.max(max, segno);
            }
        }
        return max;
    }

    private Lsn firstStoredAfter(long segno, List<Span> path) {
        long best = Long.MAX_VALUE;
        for (String seg : bySegment.keySet()) {
            long s = WalName.segnoOf(seg, segmentSize);
            int tli = WalName.timelineOf(seg);
            if (s > segno && s < best && timelineFor(s, path) == tli) {
                best = s;
            }
        }
        return best == Long.MAX_VALUE ? null : WalName.startOf(best, segmentSize);
    }

    /** When the last byte of this segment's stored prefix was received. */
    public Instant endTime(String segment) throws IOException {
        List<WalArchive.Piece> ps = piecesFor(segment);
        if (ps.isEmpty()) {
            return null;
        }
        return archive.header(ps.get(ps.size() - 1)).time();
    }

    /** The segment's bytes, zero-filled after the stored prefix (as PostgreSQL leaves an unfinished segment). */
    public byte[] assemble(String segment) throws IOException {
        return assembleTimed(segment).data();
    }

    /** A segment's bytes and when the last of them was received (null when nothing is stored). */
    public record Assembled(byte[] data, Instant endTime) {
    }

    /** As {@link #assemble}, with the time its last stored piece was received. */
    public Assembled assembleTimed(String segment) throws IOException {
        byte[] out = new byte[segmentSize];
        int covered = 0;
        Instant end = null;
        for (WalArchive.Piece p : piecesFor(segment)) {
            WalArchive.Loaded loaded = archive.load(p);
            end = loaded.header().time();
            byte[] data = loaded.data();
            if (data.length != p.end() - p.start()) {
                throw new dev.lifeboat.repository.CorruptObjectException(p.object(), "holds " + data.length
                        + " bytes, its name says " + (p.end() - p.start()));
            }
            int skip = covered - p.start();
            System.arraycopy(data, skip, out, covered, data.length - skip);
            covered = p.end();
        }
        return new Assembled(out, end);
    }
    /** The newest timeline that descends from the backup's, so recovery follows promotions made since. */
    /** The way from the backup's timeline to {@code timeline}; fails when the backup is not on it. */
    public List<Span> pathTo(BaseInfo info, int timeline) throws IOException {
        if (timeline == info.timeline()) {
            return pathFrom(info).stream().anyMatch(s -> s.timeline() == timeline && s.end() == null)
                    ? pathFrom(info) : onlyTo(info);
        }
        List<Span> p = path(timeline);
        for (Span s : p) {
            if (s.timeline() == info.timeline() && (s.end() == null || info.stop().before(s.end()))) {
                return p;
            }
        }
        throw new dev.lifeboat.repository.RepositoryException("timeline " + timeline + " does not descend from timeline "
                + info.timeline() + " after this base backup; choose another base backup or timeline");
    }

    private List<Span> onlyTo(BaseInfo info) throws IOException {
        List<Span> out = new ArrayList<>();
        for (Span s : pathFrom(info)) {
            out.add(s.timeline() == info.timeline() ? new Span(s.timeline(), s.begin(), null) : s);
            if (s.timeline() == info.timeline()) {
                break;
            }
        }
        return out;
    }

    public List<Span> pathFrom(BaseInfo info) throws IOException {
        for (int tli = latestTimeline(info.timeline()); tli > info.timeline(); tli--) {
            if (!timelines().contains(tli)) {
                continue;
            }
            try {
                List<Span> p = path(tli);
                for (Span s : p) {
                    if (s.timeline() == info.timeline() && (s.end() == null || info.stop().before(s.end()))) {
                        return p;
                    }
                }
            } catch (dev.lifeboat.repository.RepositoryException e) {
                // no history for that timeline: not a descendant we can follow
            }
        }
        try {
            return path(info.timeline());
        } catch (dev.lifeboat.repository.RepositoryException e) {
            // the backup's own timeline without its history: WAL before the backup is not needed
            return List.of(new Span(info.timeline(), Lsn.ZERO, null));
        }
    }
}
