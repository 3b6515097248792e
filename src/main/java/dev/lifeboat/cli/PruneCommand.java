package dev.lifeboat.cli;

import dev.lifeboat.prune.Pruner;
import dev.lifeboat.source.postgres.physical.WalRetention;
import dev.lifeboat.repository.Locks;
import dev.lifeboat.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Delete data that no snapshot references (runs alone: takes an exclusive lock).")
final class PruneCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;
    @Option(names = {"-n", "--dry-run"}, description = "Only report what would be freed.")
    boolean dryRun;
    @Option(names = "--repack-threshold", defaultValue = "20", description = "Repack packs at least this %% unused (default: ${DEFAULT-VALUE}).")
    double threshold;

    @Override
    public Integer call() throws Exception {
        if (threshold < 0 || threshold > 100) {
            throw new IllegalArgumentException("invalid --repack-threshold " + threshold + ": expected 0 to 100");
        }
        try (Repository repo = Repos.open(g); Locks.Held lock = Locks.acquire(repo, true, "prune")) {
            Pruner.Result r = new Pruner(repo, new Pruner.Options(dryRun, threshold / 100.0)).run();
            WalRetention.Result wal = WalRetention.prune(repo, dryRun);
            if (g.json) {
                java.util.Map<String, Object> m = new java.util.LinkedHashMap<>(dev.lifeboat.util.Json.MAPPER.convertValue(r,
                        new com.fasterxml.jackson.core.type.TypeReference<java.util.Map<String, Object>>() { }));
                m.put("walObjectsDeleted", wal.objects());
                m.put("walBytesFreed", wal.bytes());
                Out.json(m);
            } else {
                print(g, r);
                if (!g.quiet && wal.objects() > 0) {
                    Out.line(String.format("%s %d WAL object(s) older than the oldest base backup; %s freed",
                            dryRun ? "would delete" : "deleted", wal.objects(), Sizes.human(wal.bytes())));
                }
            }
        }
        return 0;
    }

    static void print(GlobalOptions g, Pruner.Result r) {
        if (g.quiet) {
            return;
        }
        Out.line(String.format("%s %d pack(s), repack %d (%s), keep %d; %s freed", r.dryRun() ? "would delete" : "deleted",
                r.packsDeleted(), r.packsRepacked(), Sizes.human(r.bytesRepacked()), r.packsKept(), Sizes.human(r.bytesFreed())));
    }
}
