package dev.lifeboat.cli;

import dev.lifeboat.repository.Locks;
import dev.lifeboat.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "unlock", mixinStandardHelpOptions = true,
        description = "Remove stale locks (left by processes that died or stopped refreshing them).")
final class UnlockCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;
    @Option(names = "--remove-all", description = "Remove every lock, also ones that look alive.")
    boolean all;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = Repos.open(g)) {
            List<String> removed = Locks.unlock(repo, all);
            if (g.json) {
                Out.json(Map.of("removed", removed));
            } else if (!g.quiet) {
                Out.line(removed.isEmpty() ? "no stale locks" : "removed " + removed.size() + " lock(s)");
            }
        }
        return 0;
    }
}
