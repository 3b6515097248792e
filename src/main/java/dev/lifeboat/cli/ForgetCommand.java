package dev.lifeboat.cli;

import dev.lifeboat.prune.Pruner;
import dev.lifeboat.repository.Locks;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.retention.GroupBy;
import dev.lifeboat.retention.GroupDecision;
import dev.lifeboat.retention.KeepPolicy;
import dev.lifeboat.retention.Retention;
import dev.lifeboat.retention.RetentionSnapshot;
import dev.lifeboat.retention.SnapshotDecision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "forget", mixinStandardHelpOptions = true,
        description = {"Remove snapshots by keep rules (or by id); --prune then frees their data.",
                "Snapshots are grouped by host and paths; each group keeps what any rule keeps."})
final class ForgetCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;
    @Parameters(arity = "0..*", paramLabel = "SNAPSHOT", description = "Forget these snapshots (instead of keep rules).")
    List<String> ids = new ArrayList<>();
    @Option(names = "--keep-last", paramLabel = "N") String last;
    @Option(names = "--keep-hourly", paramLabel = "N") String hourly;
    @Option(names = "--keep-daily", paramLabel = "N") String daily;
    @Option(names = "--keep-weekly", paramLabel = "N") String weekly;
    @Option(names = "--keep-monthly", paramLabel = "N") String monthly;
    @Option(names = "--keep-yearly", paramLabel = "N") String yearly;
    @Option(names = "--keep-within", paramLabel = "DURATION", description = "Keep all within DURATION (e.g. 1y6m7d12h) of the newest.")
    String within;
    @Option(names = "--keep-tag", paramLabel = "TAG", description = "Keep snapshots with TAG (repeatable).")
    List<String> keepTags = new ArrayList<>();
    @Option(names = "--group-by", defaultValue = "host,paths", description = "Group by any of host,paths,tags (default: ${DEFAULT-VALUE}).")
    String groupBy;
    @Option(names = "--host", description = "Only consider snapshots of this host.")
    String host;
    @Option(names = {"-n", "--dry-run"}, description = "Show what would be kept and removed, and why; change nothing.")
    boolean dryRun;
    @Option(names = "--prune", description = "Prune unreferenced data afterwards.")
    boolean prune;
    @Option(names = "--repack-threshold", defaultValue = "20", description = "With --prune: repack packs at least this %% unused (default: ${DEFAULT-VALUE}).")
    double repackThreshold;

    @Override
    public Integer call() throws Exception {
        boolean byRules = last != null || hourly != null || daily != null || weekly != null || monthly != null
                || yearly != null || within != null || !keepTags.isEmpty();
        if (byRules && !ids.isEmpty()) {
            throw new IllegalArgumentException("give either snapshot ids or keep rules, not both");
        }
        KeepPolicy policy = ids.isEmpty() ? policy() : null;
        GroupBy grouping = GroupBy.parse(groupBy);
        try (Repository repo = Repos.open(g); Locks.Held lock = Locks.acquire(repo, true, "forget")) {
            List<SnapshotRef> all = Snapshots.all(repo);
            List<SnapshotRef> remove = new ArrayList<>();
            List<Object> report = new ArrayList<>();
            if (policy == null) {
                for (String id : ids) {
                    remove.add(Snapshots.find(repo, id));
                }
            } else {
                Map<String, SnapshotRef> byId = new HashMap<>();
                List<RetentionSnapshot> input = new ArrayList<>();
                for (SnapshotRef r : all) {
                    if (host != null && !host.equals(r.snapshot().hostname())) {
                        continue;
                    }
                    byId.put(r.id().hex(), r);
                    input.add(new RetentionSnapshot(r.id().hex(), r.snapshot().time(), r.snapshot().hostname(),
                            r.snapshot().paths(), r.snapshot().tags() == null ? Set.of() : new HashSet<>(r.snapshot().tags())));
                }
                for (GroupDecision gd : Retention.decide(input, policy, grouping, ZoneId.systemDefault(), Instant.now())) {
                    printGroup(gd, report);
                    for (SnapshotDecision d : gd.decisions()) {
                        if (!d.keep()) {
                            remove.add(byId.get(d.snapshot().id()));
                        }
                    }
                }
            }
            if (!dryRun) {
                for (SnapshotRef r : remove) {
                    Snapshots.delete(repo, r.id());
                }
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("groups", report);
            json.put("removed", remove.stream().map(r -> r.id().hex()).toList());
            json.put("dry_run", dryRun);
            if (!g.json && !g.quiet) {
                Out.line((dryRun ? "would remove " : "removed ") + remove.size() + " snapshot(s)");
            }
            if (prune) {
                Pruner.Result pr = new Pruner(repo, new Pruner.Options(dryRun, repackThreshold / 100.0)).run();
                json.put("prune", pr);
                if (!g.json) {
                    PruneCommand.print(g, pr);
                }
            }
            if (g.json) {
                Out.json(json);
            }
        }
        return 0;
    }

    private KeepPolicy policy() {
        KeepPolicy.Builder b = KeepPolicy.builder();
        if (last != null) b.last(KeepPolicy.parseCount("--keep-last", last));
        if (hourly != null) b.hourly(KeepPolicy.parseCount("--keep-hourly", hourly));
        if (daily != null) b.daily(KeepPolicy.parseCount("--keep-daily", daily));
        if (weekly != null) b.weekly(KeepPolicy.parseCount("--keep-weekly", weekly));
        if (monthly != null) b.monthly(KeepPolicy.parseCount("--keep-monthly", monthly));
        if (yearly != null) b.yearly(KeepPolicy.parseCount("--keep-yearly", yearly));
        if (within != null) b.within(within);
        b.tags(keepTags);
        return b.build();
    }

    private void printGroup(GroupDecision gd, List<Object> report) {
        List<Map<String, Object>> items = new ArrayList<>();
        if (!g.json && !g.quiet) {
            Out.line("group " + gd.key().describe() + ":");
        }
        for (SnapshotDecision d : gd.decisions()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", d.snapshot().id());
            m.put("time", d.snapshot().time().toString());
            m.put("keep", d.keep());
            m.put("reasons", d.reasons());
            items.add(m);
            if (!g.json && !g.quiet) {
                Out.line(String.format("  %-6s %s  %s  %s", d.keep() ? "keep" : "remove", d.snapshot().id().substring(0, 8),
                        SnapshotsCommand.TIME.format(d.snapshot().time()), String.join(", ", d.reasons())));
            }
        }
        report.add(Map.of("group", gd.key().describe(), "snapshots", items));
    }
}
