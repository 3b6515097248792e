package dev.lifeboat.cli;

import dev.lifeboat.prune.Pruner;
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
            if (g.json) {
                Out.json(r);
            } else {
                print(g, r);
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
