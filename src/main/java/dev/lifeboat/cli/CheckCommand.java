package dev.lifeboat.cli;

import dev.lifeboat.check.Checker;
import dev.lifeboat.repository.ExitCodes;
import dev.lifeboat.repository.Locks;
import dev.lifeboat.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Verify the repository's structure and, with --read-data, every byte of its data.",
                "Exit code 13 when damage is found; the affected snapshots and files are listed."})
final class CheckCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;
    @Option(names = "--read-data", description = "Read and verify all pack files.")
    boolean readData;
    @Option(names = "--read-data-subset", paramLabel = "N%", description = "Read and verify a random N%% of the packs.")
    String subset;

    @Override
    public Integer call() throws Exception {
        double fraction = readData ? 1.0 : 0.0;
        if (subset != null) {
            String s = subset.endsWith("%") ? subset.substring(0, subset.length() - 1) : subset;
            try {
                fraction = Double.parseDouble(s) / 100.0;
            } catch (NumberFormatException e) {
                fraction = -1;
            }
            if (fraction <= 0 || fraction > 1) {
                throw new IllegalArgumentException("invalid --read-data-subset \"" + subset + "\": expected a percentage like 10%");
            }
        }
        try (Repository repo = Repos.openUncached(g); Locks.Held lock = Locks.acquire(repo, false, "check")) {
            Checker.Result r = new Checker(repo, new Checker.Options(fraction, g.threads)).run();
            if (g.json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("ok", r.ok());
                m.put("errors", r.errors().stream().map(Checker.Problem::message).toList());
                m.put("notes", r.notes());
                m.put("damaged_packs", r.damagedPacks().stream().map(Object::toString).sorted().toList());
                m.put("damaged_blobs", r.damagedBlobs().stream().map(Object::toString).sorted().toList());
                m.put("affected", r.affected());
                m.put("snapshots", r.snapshots());
                m.put("packs_read", r.packsRead());
                m.put("bytes_read", r.bytesRead());
                Out.json(m);
            } else {
                for (Checker.Problem p : r.errors()) {
                    Out.line("error: " + p.message());
                }
                for (String n : r.notes()) {
                    Out.line("note: " + n);
                }
                for (Checker.Affected a : r.affected()) {
                    Out.line("snapshot " + a.snapshot().substring(0, 8) + " is damaged: " + a.files().size() + " file(s) affected");
                    a.files().stream().limit(50).forEach(f -> Out.line("  " + f));
                    if (a.files().size() > 50) {
                        Out.line("  ... and " + (a.files().size() - 50) + " more (see --json)");
                    }
                }
                if (!g.quiet) {
                    Out.line(r.ok() ? String.format("no errors: %d snapshots, %d packs read (%s)", r.snapshots(), r.packsRead(),
                            Sizes.human(r.bytesRead())) : r.errors().size() + " error(s) found");
                }
            }
            if (!r.ok()) {
                System.err.println("lifeboat: check found " + r.errors().size() + " error(s)");
                return ExitCodes.CHECK_FAILED;
            }
        }
        return 0;
    }
}
