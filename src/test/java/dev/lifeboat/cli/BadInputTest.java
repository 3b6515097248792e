package dev.lifeboat.cli;

import dev.lifeboat.testing.Cli;
import dev.lifeboat.testing.LifeboatProcess;
import dev.lifeboat.testing.Trees;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad input gets one clear line on stderr, a non-zero exit, and changes nothing. */
class BadInputTest {
    @TempDir
    Path tmp;
    Path src;
    Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        src = tmp.resolve("src");
        Trees.randomTree(src, 5, 30, 50_000);
        cli = Cli.create(tmp, "right");
        cli.ok("init");
        cli.ok("backup", src.toString());
    }

    private static void oneLine(Cli.Run r, int exit, String contains) {
        assertEquals(exit, r.exit(), r.toString());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "exactly one line on stderr: " + err);
        assertTrue(err.startsWith("lifeboat: "), err);
        assertTrue(err.contains(contains), "expected \"" + contains + "\" in: " + err);
    }

    @Test
    void wrongPassphraseChangesNothing() throws Exception {
        Map<String, String> before = Trees.fingerprint(cli.repo());
        Path wrong = tmp.resolve("wrong");
        Files.writeString(wrong, "wrong");
        Cli bad = cli.withPassword(wrong);
        for (String[] cmd : List.of(new String[]{"snapshots"}, new String[]{"backup", src.toString()},
                new String[]{"forget", "--keep-last", "1", "--prune"}, new String[]{"prune"}, new String[]{"check"})) {
            oneLine(bad.run(cmd), 12, "wrong passphrase");
        }
        assertEquals(before, Trees.fingerprint(cli.repo()));
    }

    @Test
    void missingOrForeignRepository() throws Exception {
        Cli none = new Cli(tmp.resolve("nowhere"), cli.passwordFile());
        oneLine(none.run("snapshots"), 10, "no repository at");
        assertFalse(Files.exists(tmp.resolve("nowhere")));
        Path foreign = tmp.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        oneLine(new Cli(foreign, cli.passwordFile()).run("backup", src.toString()), 10, "not a Lifeboat repository");
        oneLine(new Cli(foreign, cli.passwordFile()).run("init"), 1, "not empty");
        assertEquals(List.of(foreign.resolve("notes.txt")), Files.list(foreign).toList());
        oneLine(cli.run("init"), 1, "not empty");
    }

    @Test
    void missingSourceAndBadOptionsWriteNoSnapshot() throws Exception {
        Map<String, String> before = Trees.fingerprint(cli.repo());
        oneLine(cli.run("backup", tmp.resolve("does-not-exist").toString()), 1, "does-not-exist");
        oneLine(cli.run("backup"), 2, "nothing to back up");
        oneLine(cli.run("backup", src.toString(), "--exclude", "[unclosed"), 2, "invalid exclude pattern");
        oneLine(cli.run("forget", "--keep-weekly", "-5"), 2, "--keep-weekly");
        oneLine(cli.run("forget", "--keep-within", "3x"), 2, "--keep-within");
        oneLine(cli.run("restore", "deadbeef", "--target", tmp.resolve("o").toString()), 1, "no snapshot with id deadbeef");
        oneLine(cli.run("ls", "latest", "/no/such/path"), 1, "not in snapshot");
        oneLine(cli.run("check", "--read-data-subset", "200%"), 2, "--read-data-subset");
        oneLine(Cli.raw("backup", "--no-such-flag"), 2, "Unknown option");
        assertEquals(before, Trees.fingerprint(cli.repo()));
    }

    @Test
    void unreadableSourceFileIsSkippedWithWarningAndExitCode3() throws Exception {
        Path secret = src.resolve("d0/secret.txt");
        Files.createDirectories(secret.getParent());
        Files.writeString(secret, "top secret");
        Files.setPosixFilePermissions(secret, java.util.Set.of());
        int exit;
        String snapshotsJson;
        if (isRoot()) {
            // root reads everything: run the backup as an unprivileged user, as a real cron job might
            List<String> cp = new java.util.ArrayList<>();
            Path jars = tmp.resolve("classpath");
            int n = 0;
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path copy = jars.resolve((n++) + "-" + Path.of(entry).getFileName());
                copyRecursively(Path.of(entry), copy);
                cp.add(copy.toString());
            }
            grantToNobody(tmp);
            ProcessBuilder pb = LifeboatProcess.builder(cli.repo(), "right", "backup", src.toString());
            int at = pb.command().indexOf("-cp") + 1;
            pb.command().set(at, String.join(java.io.File.pathSeparator, cp));
            pb.command().addAll(0, List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
            pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            exit = p.waitFor();
            assertTrue(out.contains("secret.txt: permission denied"), out);
        } else {
            Cli.Run r = cli.run("backup", src.toString());
            exit = r.exit();
            assertTrue(r.err().contains("secret.txt: permission denied"), r.err());
        }
        assertEquals(3, exit);
        snapshotsJson = cli.ok("snapshots", "--json").out();
        assertTrue(snapshotsJson.contains("secret.txt: permission denied"), "the snapshot records what was skipped");
        assertFalse(cli.ok("ls", "latest").out().contains("secret.txt"));
        assertTrue(cli.ok("ls", "latest").out().contains("/d0/"), "everything else is in the snapshot");
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void copyRecursively(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.createDirectories(dest.getParent());
                    Files.copy(p, dest);
                }
            }
        }
    }

    private static void grantToNobody(Path dir) throws IOException, InterruptedException {
        assertEquals(0, new ProcessBuilder("chown", "-R", "65534:65534", dir.toString()).start().waitFor());
        Path p = dir;
        while (p != null) {
            new ProcessBuilder("chmod", "o+x", p.toString()).start().waitFor();
            p = p.getParent();
        }
    }

    @Test
    void fullDiskFailsCleanlyAndTheNextBackupWorks() throws Exception {
        Path small = tmp.resolve("small");
        Files.createDirectories(small);
        boolean mounted = isRoot() && new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", small.toString())
                .start().waitFor() == 0;
        org.junit.jupiter.api.Assumptions.assumeTrue(mounted, "needs root to mount a small tmpfs");
        try {
            Cli c = new Cli(small.resolve("repo"), cli.passwordFile());
            c.ok("init");
            Path data = tmp.resolve("big");
            Files.createDirectories(data);
            byte[] b = new byte[8 << 20];
            new Random(1).nextBytes(b);
            Files.write(data.resolve("random.bin"), b);
            Map<String, String> before = Trees.fingerprint(c.repo());
            Cli.Run r = c.run("backup", data.toString());
            oneLine(r, 1, "No space left on device");
            assertFalse(Files.exists(c.repo().resolve("snapshots")), "no snapshot written");
            c.ok("check");
            for (Map.Entry<String, String> e : before.entrySet()) {
                assertEquals(e.getValue(), Trees.sha256(c.repo().resolve(e.getKey())), "untouched: " + e.getKey());
            }
            Files.write(data.resolve("random.bin"), new byte[1000]);
            c.ok("backup", data.toString());
            c.ok("check", "--read-data");
        } finally {
            new ProcessBuilder("umount", "-l", small.toString()).start().waitFor();
        }
    }
}
