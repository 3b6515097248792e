package dev.lifeboat.cli;

import dev.lifeboat.check.Checker;
import dev.lifeboat.copy.Copies;
import dev.lifeboat.copy.Repairer;
import dev.lifeboat.repository.ExitCodes;
import dev.lifeboat.repository.Locks;
import dev.lifeboat.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "repair", mixinStandardHelpOptions = true,
        description = {"Make a damaged repository whole again from a copy of it (runs alone: takes an exclusive lock).",
                "Reads and verifies all data, re-stores what is lost or lies in damaged packs, restores damaged",
                "snapshot files, then deletes the damaged objects and checks again.",
                "Exit code 13 when damage remains (the copy lacks some data; the affected files are listed)."})
final class RepairCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;
    @Option(names = "--from", required = true, paramLabel = "REPO", description = "An intact copy of this repository.")
    String from;
    @Option(names = "--from-password-file", paramLabel = "FILE",
            description = "Passphrase of the copy (default: $LIFEBOAT_FROM_PASSWORD_FILE, $LIFEBOAT_FROM_PASSWORD, else prompt).")
    Path fromPasswordFile;

    @Override
    public Integer call() throws Exception {
        String location = g.repoLocation();
        char[] pw = Passwords.read(g, "Repository passphrase"); // read once: three instances open with it
        try (Repository checked = FromRepository.openUncached(location, pw);
             Repository other = FromRepository.open(from, fromPasswordFile)) {
            Copies.requireCopy(checked, location, other, from);
            Checker.Options opts = new Checker.Options(1.0, g.threads);
            try (Locks.Held lock = Locks.acquire(checked, true, "repair");
                 Locks.Held otherLock = Locks.acquire(other, false, "repair (source)")) {
                Out.info(g, "checking " + location + " (reading all data)");
                Checker.Result before = new Checker(checked, opts).run();
                Repairer.Result r = null;
                if (!before.ok()) {
                    try (Repository work = FromRepository.openUncached(location, pw)) {
                        r = new Repairer(work, other).run(before);
                    }
                }
                Checker.Result after;
                if (r == null) {
                    after = before;
                } else {
                    Out.info(g, "checking again");
                    try (Repository verify = FromRepository.openUncached(location, pw)) {
                        after = new Checker(verify, opts).run();
                    }
                }
                report(before, r, after);
                if (!after.ok()) {
                    System.err.println("lifeboat: repository is still damaged (" + after.errors().size() + " error(s))");
                    return ExitCodes.CHECK_FAILED;
                }
            }
        }
        return 0;
    }

    private void report(Checker.Result before, Repairer.Result r, Checker.Result after) {
        if (g.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", after.ok());
            m.put("errors_before", before.errors().stream().map(Checker.Problem::message).toList());
            if (r != null) {
                m.put("packs_damaged", r.packsDamaged());
                m.put("packs_deleted", r.packsDeleted());
                m.put("blobs_salvaged", r.blobsSalvaged());
                m.put("blobs_from_copy", r.blobsFromOther());
                m.put("snapshots_restored", r.snapshotsRestored());
                m.put("snapshot_files_deleted", r.snapshotFilesDeleted());
                m.put("blobs_lost", r.lost().stream().map(Object::toString).sorted().toList());
                m.put("files_lost", r.lostFiles());
            }
            m.put("errors_after", after.errors().stream().map(Checker.Problem::message).toList());
            Out.json(m);
            return;
        }
        if (r == null) {
            if (!g.quiet) {
                Out.line("no errors: the repository is whole, nothing to repair");
            }
            return;
        }
        if (!g.quiet) {
            Out.line(String.format("found %d error(s); re-stored %d blob(s) from damaged packs and %d from %s; "
                            + "restored %d snapshot(s); deleted %d damaged pack(s) and %d damaged snapshot file(s)",
                    before.errors().size(), r.blobsSalvaged(), r.blobsFromOther(), from, r.snapshotsRestored().size(),
                    r.packsDeleted(), r.snapshotFilesDeleted()));
        }
        for (Map.Entry<String, List<String>> e : r.lostFiles().entrySet()) {
            Out.line("snapshot " + e.getKey().substring(0, 8) + " stays damaged: " + e.getValue().size()
                    + " file(s) whose data neither repository has");
            e.getValue().stream().limit(50).forEach(f -> Out.line("  " + f));
            if (e.getValue().size() > 50) {
                Out.line("  ... and " + (e.getValue().size() - 50) + " more (see --json)");
            }
        }
        if (!r.complete()) {
            Out.line(r.lost().size() + " blob(s) are in neither repository; damaged packs and files were kept");
        }
        for (Checker.Problem p : after.errors()) {
            Out.line("error: " + p.message());
        }
        if (!g.quiet && after.ok()) {
            Out.line(String.format("repaired: no errors, %d snapshots, %d packs read (%s)", after.snapshots(),
                    after.packsRead(), Sizes.human(after.bytesRead())));
        }
    }
}
