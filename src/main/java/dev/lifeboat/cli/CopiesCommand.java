package dev.lifeboat.cli;

import dev.lifeboat.copy.Copies;
import dev.lifeboat.copy.CopySet;
import dev.lifeboat.copy.CopySetReport;
import dev.lifeboat.repository.ExitCodes;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryException;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Snapshots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "copies", mixinStandardHelpOptions = true,
        description = "Work with a set of repositories that are copies of each other.",
        subcommands = {CopiesCommand.Check.class})
final class CopiesCommand implements Runnable {
    @Override
    public void run() {
        throw new IllegalArgumentException("missing subcommand: check");
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Show which snapshots are in which repository of a copy set, and check the 3-2-1 rule "
                    + "for the newest snapshot of each (host, paths) group:",
                    "  at least 3 copies (the live data counts as one unless live_source: false),",
                    "  on at least 2 media kinds (only the repositories' \"media\" values count,",
                    "    not the live data),",
                    "  at least 1 offsite copy.",
                    "Snapshots are matched across repositories by time, host, paths and tree, as \"copy\" does.",
                    "The config file (YAML):",
                    "  live_source: true",
                    "  repositories:",
                    "    - location: /backup/repo",
                    "      media: disk              # free text; each distinct value is a media kind",
                    "      offsite: false           # default false",
                    "      password_file: /etc/lifeboat/pass   # relative to the config file; or",
                    "      # password_env: NAME     # an environment variable holding the passphrase",
                    "Exit status: 0 when the rule holds for every group, 13 when it does not, 1 when a repository "
                            + "cannot be opened or is not a copy of the others, 2 for an invalid config file."})
    static final class Check implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "FILE", description = "The copy set (YAML).")
        Path config;

        @Option(names = "--json", description = "Machine-readable JSON output.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            String text;
            try {
                text = Files.readString(config, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new RepositoryException("config file " + config + " does not exist", ExitCodes.USAGE);
            }
            CopySet set = CopySet.parse(text, config);
            List<Repository> open = new ArrayList<>();
            try {
                List<List<Snapshot>> snapshots = new ArrayList<>();
                for (CopySet.Member m : set.repositories()) {
                    Repository repo = openMember(m);
                    open.add(repo);
                    if (open.size() > 1) {
                        Copies.requireCopy(repo, m.location(), open.get(0), set.repositories().get(0).location());
                    }
                }
                for (int i = 0; i < open.size(); i++) {
                    String location = set.repositories().get(i).location();
                    List<Snapshot> list = new ArrayList<>();
                    try {
                        for (SnapshotRef r : Snapshots.all(open.get(i))) {
                            list.add(r.snapshot());
                        }
                    } catch (IOException | RuntimeException e) {
                        throw new RepositoryException("cannot list the snapshots of " + location + ": " + Main.message(e),
                                ExitCodes.ERROR);
                    }
                    snapshots.add(list);
                }
                CopySetReport report = set.evaluate(snapshots);
                if (json) {
                    Out.json(toJson(report));
                } else {
                    printText(report);
                }
                return report.ok() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
            } finally {
                for (Repository r : open) {
                    try {
                        r.close();
                    } catch (IOException ignored) {
                        // read-only use; nothing to lose
                    }
                }
            }
        }

        /** Opens one repository; any failure is one line naming its location (never the passphrase), exit 1. */
        private static Repository openMember(CopySet.Member m) throws IOException {
            try {
                return Repos.open(m.location(), () -> {
                    if (m.passwordFile() != null) {
                        return Passwords.fromFile(m.passwordFile());
                    }
                    String v = System.getenv(m.passwordEnv());
                    if (v == null || v.isEmpty()) {
                        throw new RepositoryException("environment variable " + m.passwordEnv() + " is not set");
                    }
                    return v.toCharArray();
                });
            } catch (IOException | RuntimeException e) {
                throw new RepositoryException("cannot open " + m.location() + ": " + Main.message(e), ExitCodes.ERROR);
            }
        }

        private static String when(Copies.Key k) {
            return k.time().truncatedTo(ChronoUnit.SECONDS).toString();
        }

        private static String group(Copies.Key k) {
            return (k.hostname() == null ? "?" : k.hostname()) + " " + String.join(" ", k.paths());
        }

        private static void printText(CopySetReport report) {
            List<CopySet.Member> repos = report.set().repositories();
            Out.line("repositories:");
            for (int i = 0; i < repos.size(); i++) {
                CopySet.Member m = repos.get(i);
                Out.line(String.format("  [%d] %s (%s, %s)", i + 1, m.location(), m.media(), m.offsite() ? "offsite" : "onsite"));
            }
            Out.line(report.set().liveSource() ? "  live data counts as one copy" : "  live data not counted");
            Out.line("");
            if (report.rows().isEmpty()) {
                Out.line("no snapshots in any repository");
                Out.line("result: FAIL");
                return;
            }
            int hostW = 4;
            int pathW = 5;
            for (CopySetReport.Row r : report.rows()) {
                hostW = Math.max(hostW, r.key().hostname() == null ? 1 : r.key().hostname().length());
                pathW = Math.max(pathW, String.join(" ", r.key().paths()).length());
            }
            StringBuilder head = new StringBuilder(String.format("%-20s  %-" + hostW + "s  %-" + pathW + "s", "TIME", "HOST", "PATHS"));
            for (int i = 0; i < repos.size(); i++) {
                head.append(String.format("  %-7s", "[" + (i + 1) + "]"));
            }
            Out.line(head.toString().stripTrailing());
            for (CopySetReport.Row r : report.rows()) {
                StringBuilder sb = new StringBuilder(String.format("%-20s  %-" + hostW + "s  %-" + pathW + "s", when(r.key()),
                        r.key().hostname() == null ? "?" : r.key().hostname(), String.join(" ", r.key().paths())));
                for (boolean p : r.present()) {
                    sb.append(String.format("  %-7s", p ? "present" : "missing"));
                }
                Out.line(sb.toString().stripTrailing());
            }
            for (CopySetReport.Group g : report.groups()) {
                Out.line("");
                Out.line(group(g.newest()) + ": newest snapshot " + when(g.newest()));
                for (CopySetReport.Rule rule : g.rules()) {
                    Out.line(String.format("  %s  %s (%s): %s", rule.pass() ? "PASS" : "FAIL", rule.description(), rule.name(),
                            rule.actual()));
                }
            }
            Out.line("");
            Out.line("result: " + (report.ok() ? "PASS" : "FAIL"));
        }

        private static Map<String, Object> toJson(CopySetReport report) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", report.ok());
            m.put("live_source", report.set().liveSource());
            List<Map<String, Object>> repos = new ArrayList<>();
            for (CopySet.Member r : report.set().repositories()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("location", r.location());
                x.put("media", r.media());
                x.put("offsite", r.offsite());
                repos.add(x);
            }
            m.put("repositories", repos);
            List<Map<String, Object>> snaps = new ArrayList<>();
            for (CopySetReport.Row r : report.rows()) {
                Map<String, Object> x = key(r.key());
                List<String> in = new ArrayList<>();
                List<String> missing = new ArrayList<>();
                for (int i = 0; i < r.present().size(); i++) {
                    (r.present().get(i) ? in : missing).add(report.set().repositories().get(i).location());
                }
                x.put("present", in);
                x.put("missing", missing);
                snaps.add(x);
            }
            m.put("snapshots", snaps);
            List<Map<String, Object>> groups = new ArrayList<>();
            for (CopySetReport.Group g : report.groups()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("hostname", g.newest().hostname());
                x.put("paths", g.newest().paths());
                x.put("newest", key(g.newest()));
                x.put("copies", g.copies());
                x.put("media", g.media());
                x.put("offsite", g.offsite());
                x.put("repositories", g.repositories());
                x.put("ok", g.ok());
                List<Map<String, Object>> rules = new ArrayList<>();
                for (CopySetReport.Rule rule : g.rules()) {
                    Map<String, Object> y = new LinkedHashMap<>();
                    y.put("rule", rule.name());
                    y.put("description", rule.description());
                    y.put("pass", rule.pass());
                    y.put("actual", rule.actual());
                    rules.add(y);
                }
                x.put("rules", rules);
                groups.add(x);
            }
            m.put("groups", groups);
            return m;
        }

        private static Map<String, Object> key(Copies.Key k) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("time", k.time());
            x.put("hostname", k.hostname());
            x.put("paths", k.paths());
            x.put("tree", k.tree());
            return x;
        }
    }
}
