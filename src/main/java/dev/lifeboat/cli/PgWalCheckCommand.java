package dev.lifeboat.cli;

import dev.lifeboat.repository.ExitCodes;
import dev.lifeboat.repository.Locks;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.source.postgres.physical.WalCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "wal-check", mixinStandardHelpOptions = true,
        description = {"Show the WAL the repository holds per cluster and timeline, any missing segment, and the window",
                "each base backup can recover into (point-in-time recovery). Exits with 13 when WAL is missing."})
final class PgWalCheckCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = Repos.open(g); Locks.Held lock = Locks.acquire(repo, false, "pg wal-check")) {
            List<WalCheck.SystemReport> reports = WalCheck.run(repo);
            boolean gaps = reports.stream().anyMatch(WalCheck.SystemReport::hasGaps);
            if (g.json) {
                Out.json(reports);
            } else if (!g.quiet) {
                if (reports.isEmpty()) {
                    Out.line("no WAL and no base backup in this repository");
                }
                for (WalCheck.SystemReport r : reports) {
                    Out.line("Cluster " + r.systemId() + " (WAL segments of " + Sizes.human(r.segmentSize()) + "):");
                    for (WalCheck.TimelineReport t : r.timelines()) {
                        Out.line(String.format("  timeline %d: %d segments, %s .. %s, WAL up to %s", t.timeline(), t.segments(),
                                t.first(), t.last(), t.end()));
                        for (WalCheck.Gap gap : t.gaps()) {
                            Out.line("    MISSING: " + gap.missing() + ": no WAL from " + gap.from() + " to " + gap.resumesAt());
                        }
                    }
                    for (WalCheck.Window w : r.windows()) {
                        Out.line(String.format("  base backup %s: recovers to any point from %s (%s) to %s (%s) on timeline %d%s",
                                w.snapshot(), w.fromTime(), w.from(), w.toTime(), w.to(), w.timeline(),
                                w.missing() != null ? "; then segment " + w.missing() + " is missing" : ""));
                    }
                }
            }
            return gaps ? ExitCodes.CHECK_FAILED : 0;
        }
    }
}
