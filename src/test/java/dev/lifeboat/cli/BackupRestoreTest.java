package dev.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.testing.Cli;
import dev.lifeboat.testing.Trees;
import dev.lifeboat.util.Json;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackupRestoreTest {
    @TempDir
    Path tmp;
    Path src;
    Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        src = tmp.resolve("src");
        Trees.randomTree(src, 42, 120, 200_000);
        Files.createSymbolicLink(src.resolve("d0/link"), Path.of("e0"));
        Files.writeString(src.resolve("d1/original.txt"), "linked content\n");
        Files.createLink(src.resolve("d1/hardlink.txt"), src.resolve("d1/original.txt"));
        Files.setAttribute(src.resolve("d1/original.txt"), "unix:mode", 0640);
        Files.setLastModifiedTime(src.resolve("d2"), FileTime.fromMillis(1_600_000_000_123L));
        Files.createDirectories(src.resolve("empty"));
        Files.write(src.resolve("zero.bin"), new byte[0]);
        cli = Cli.create(tmp, "correct horse");
        cli.ok("init");
    }

    static JsonNode json(Cli.Run r) throws Exception {
        return Json.MAPPER.readTree(r.out());
    }

    @Test
    void restoreIsIdenticalIncludingMetadataLinksAndHardLinks() throws Exception {
        JsonNode b = json(cli.ok("backup", src.toString(), "--json", "--tag", "daily"));
        String id = b.get("snapshot").asText();
        Path out = tmp.resolve("out");
        cli.ok("restore", id.substring(0, 8), "--target", out.toString());
        Path restored = out.resolve(src.toString().substring(1));
        assertEquals(Trees.describe(src), Trees.describe(restored));
        Object a = Files.getAttribute(restored.resolve("d1/original.txt"), "unix:ino");
        Object c = Files.getAttribute(restored.resolve("d1/hardlink.txt"), "unix:ino");
        assertEquals(a, c, "hard links restored as one inode");
        JsonNode snaps = json(cli.ok("snapshots", "--json"));
        assertEquals(1, snaps.size());
        assertEquals("daily", snaps.get(0).get("tags").get(0).asText());
    }

    @Test
    void aRestoreInManySmallBatchesIsIdenticalToo() throws Exception {
        // The same content early and late in the walk lands in different batches; both get it.
        byte[] dup = new byte[300_000];
        new java.util.Random(5).nextBytes(dup);
        Files.write(src.resolve("aaa-dup.bin"), dup);
        Files.write(src.resolve("zzz-dup.bin"), dup);
        cli.ok("backup", src.toString());
        Path out = tmp.resolve("out");
        System.setProperty("lifeboat.restore.batchBlobs", "3");
        try {
            cli.ok("restore", "latest", "--target", out.toString());
        } finally {
            System.clearProperty("lifeboat.restore.batchBlobs");
        }
        Path restored = out.resolve(src.toString().substring(1));
        assertEquals(Trees.describe(src), Trees.describe(restored));
        assertEquals(Files.getAttribute(restored.resolve("d1/original.txt"), "unix:ino"),
                Files.getAttribute(restored.resolve("d1/hardlink.txt"), "unix:ino"), "hard links restored as one inode");
    }

    @Test
    void aDamagedBlobInALaterBatchStillStopsTheRestore() throws Exception {
        // Batches are written while the next is planned: a failure must surface all the same.
        byte[] late = new byte[300_000];
        new java.util.Random(6).nextBytes(late);
        Files.write(src.resolve("zzz-late.bin"), late);
        cli.ok("backup", src.toString());
        dev.lifeboat.repository.PackEntry entry;
        try (var repo = dev.lifeboat.repository.Repository.open(
                new dev.lifeboat.storage.local.LocalStorage(cli.repo()), "correct horse".toCharArray())) {
            repo.loadIndex();
            String file = src.resolve("zzz-late.bin").toString();
            java.util.List<String> ids = new java.util.ArrayList<>();
            new dev.lifeboat.repository.TreeWalker(repo).walk(
                    dev.lifeboat.repository.Snapshots.find(repo, "latest").snapshot().tree(), (p, n) -> {
                        if (p.equals(file)) {
                            ids.addAll(n.content());
                        }
                        return true;
                    });
            entry = repo.index().get(dev.lifeboat.repository.BlobId.parse(ids.get(ids.size() - 1)));
        }
        String pack = entry.pack().hex();
        Path packFile = cli.repo().resolve(dev.lifeboat.repository.Repository.packName(entry.pack()));
        byte[] bytes = Files.readAllBytes(packFile);
        bytes[(int) entry.offset() + entry.length() / 2] ^= 0x01;
        Files.write(packFile, bytes);

        System.setProperty("lifeboat.restore.batchBlobs", "3");
        Cli.Run r;
        try {
            r = cli.run("restore", "latest", "--target", tmp.resolve("out").toString());
        } finally {
            System.clearProperty("lifeboat.restore.batchBlobs");
        }
        assertNotEquals(0, r.exit(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(pack.substring(0, 12)) && r.err().contains("does not authenticate"), r.err());
    }

    @Test
    void restoringOverAnExistingTreeReplacesWhatIsThereAndNeverWritesThroughALink() throws Exception {
        String id = json(cli.ok("backup", src.toString(), "--json")).get("snapshot").asText();
        Path out = tmp.resolve("out");
        Path restored = out.resolve(src.toString().substring(1));
        cli.ok("restore", id, "--target", out.toString());
        Path victim = tmp.resolve("victim.txt");
        Files.writeString(victim, "not yours\n");
        Path plain;
        try (var files = Files.walk(restored.resolve("d0"))) {
            plain = files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && f.toFile().length() > 0)
                    .findFirst().orElseThrow();
        }
        for (Path file : new Path[]{restored.resolve("d1/original.txt"), plain}) { // hard-linked, and not
            Files.delete(file);
            Files.createSymbolicLink(file, victim);
        }
        Files.writeString(restored.resolve("zero.bin"), "stale, longer than the real content");
        cli.ok("restore", id, "--target", out.toString());
        assertEquals("not yours\n", Files.readString(victim), "the planted links were not written through");
        assertFalse(Files.isSymbolicLink(plain));
        assertEquals(Trees.describe(src), Trees.describe(restored));
    }

    @Test
    void secondBackupReadsOnlyChangedFilesAndStoresOnlyNewChunks() throws Exception {
        Path big = src.resolve("big.bin");
        // Large against the chunk sizes: chunk boundaries depend on the repository's random chunker seed,
        // and with a few chunks only, the one or two around the insertion could be half the file.
        byte[] data = new byte[24 << 20];
        new Random(7).nextBytes(data);
        Files.write(big, data);
        cli.ok("backup", src.toString());
        JsonNode s1 = json(cli.ok("backup", src.toString(), "--json")).get("summary");
        assertEquals(0, s1.get("bytesProcessed").asLong(), "nothing re-read when nothing changed");
        assertEquals(0, s1.get("filesNew").asLong() + s1.get("filesChanged").asLong());

        // insert 100 bytes in the middle of the big file: content-defined chunking keeps most chunks
        byte[] changed = new byte[data.length + 100];
        System.arraycopy(data, 0, changed, 0, 12 << 20);
        System.arraycopy(data, 12 << 20, changed, (12 << 20) + 100, data.length - (12 << 20));
        Files.write(big, changed);
        JsonNode s2 = json(cli.ok("backup", src.toString(), "--json")).get("summary");
        assertEquals(1, s2.get("filesChanged").asLong());
        assertEquals(changed.length, s2.get("bytesProcessed").asLong());
        assertTrue(s2.get("bytesAdded").asLong() < 8 << 20,
                "an insertion stores only the chunks around it, stored " + s2.get("bytesAdded").asLong());
        Path out = tmp.resolve("out");
        cli.ok("restore", "latest", "--target", out.toString(), "--include", src.resolve("big.bin").toString());
        assertArrayEquals(changed, Files.readAllBytes(out.resolve(src.toString().substring(1)).resolve("big.bin")));
        assertFalse(Files.exists(out.resolve(src.toString().substring(1)).resolve("d0")), "--include restores only the path");
    }

    @Test
    void excludesAndMarkers() throws Exception {
        Files.writeString(src.resolve("d0/skip.log"), "log");
        Files.writeString(src.resolve("d3/.nobackup"), "");
        Path patterns = tmp.resolve("excludes");
        Files.writeString(patterns, "# comment\n*.tmp\n");
        Files.writeString(src.resolve("d4/x.tmp"), "tmp");
        cli.ok("backup", src.toString(), "--exclude", "*.log", "--exclude-file", patterns.toString(),
                "--exclude-if-present", ".nobackup");
        String ls = cli.ok("ls", "latest").out();
        assertFalse(ls.contains("skip.log"));
        assertFalse(ls.contains("x.tmp"));
        assertTrue(ls.contains("/d3\n") || ls.endsWith("/d3"), "marked directory itself is kept, empty");
        assertFalse(ls.contains("/d3/"));
        assertTrue(ls.contains("/d4/"));
    }

    @Test
    void stdinDumpDiffStatsAndKeys() throws Exception {
        byte[] payload = "select 1;\n".repeat(100_000).getBytes(StandardCharsets.UTF_8);
        var oldIn = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(payload));
            cli.ok("backup", "--stdin", "--stdin-name", "db.sql");
        } finally {
            System.setIn(oldIn);
        }
        assertArrayEquals(payload, cli.ok("dump", "latest", "db.sql").outBytes());

        cli.ok("backup", src.toString());
        Files.writeString(src.resolve("new.txt"), "new");
        Files.delete(src.resolve("zero.bin"));
        Files.writeString(src.resolve("d1/original.txt"), "changed\n");
        cli.ok("backup", src.toString());
        JsonNode snaps = json(cli.ok("snapshots", "--json"));
        String diff = cli.ok("diff", snaps.get(1).get("id").asText(), snaps.get(2).get("id").asText()).out();
        assertTrue(diff.contains("+    " + src.resolve("new.txt")), diff);
        assertTrue(diff.contains("-    " + src.resolve("zero.bin")), diff);
        assertTrue(diff.contains("M    " + src.resolve("d1/original.txt")), diff);

        JsonNode stats = json(cli.ok("stats", "--json"));
        assertEquals(3, stats.get("snapshots").asInt());
        assertTrue(stats.get("dedup_ratio").asDouble() > 1.5, stats.toString());
        assertTrue(stats.get("compression_ratio").asDouble() > 1.0, stats.toString());

        Path second = tmp.resolve("second-pw");
        Files.writeString(second, "another passphrase");
        cli.ok("key", "add", "--new-password-file", second.toString());
        assertEquals(2, json(cli.ok("key", "list", "--json")).size());
        Cli other = cli.withPassword(second);
        other.ok("snapshots");
        String firstKey = json(cli.ok("key", "list", "--json")).get(0).get("id").asText();
        assertEquals(2, cli.run("key", "remove").exit(), "missing argument is a usage error");
        Cli.Run self = cli.run("key", "remove", json(cli.ok("key", "list", "--json")).findValuesAsText("id").stream()
                .filter(k -> {
                    try {
                        return json(cli.ok("key", "list", "--json")).toString().contains("\"id\":\"" + k + "\",\"current\":true");
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }).findFirst().orElseThrow());
        assertEquals(1, self.exit(), "the key in use cannot be removed");
        assertTrue(firstKey.length() == 64);
        Path third = tmp.resolve("third-pw");
        Files.writeString(third, "third");
        other.ok("key", "passwd", "--new-password-file", third.toString());
        assertEquals(12, other.run("snapshots").exit(), "old passphrase no longer opens");
        cli.withPassword(third).ok("snapshots");
        cli.ok("snapshots");
    }

    @Test
    void forgetWithRulesAndPrune() throws Exception {
        for (int i = 0; i < 4; i++) {
            Files.writeString(src.resolve("gen.txt"), "generation " + i + "\n".repeat(i * 1000));
            byte[] unique = new byte[300_000];
            new Random(i).nextBytes(unique);
            Files.write(src.resolve("unique-" + i + ".bin"), unique);
            if (i > 0) {
                Files.delete(src.resolve("unique-" + (i - 1) + ".bin"));
            }
            cli.ok("backup", src.toString());
        }
        Map<String, String> before = Trees.fingerprint(cli.repo());
        Cli.Run dry = cli.ok("forget", "--keep-last", "2", "--dry-run");
        assertTrue(dry.out().contains("remove") && dry.out().contains("last snapshot"), dry.out());
        assertEquals(before, Trees.fingerprint(cli.repo()), "dry run changes nothing");
        assertEquals(2, cli.run("forget", "--keep-daily", "x").exit());
        assertEquals(2, cli.run("forget").exit(), "no rule is refused");
        assertEquals(before, Trees.fingerprint(cli.repo()));

        long sizeBefore = json(cli.ok("stats", "--json")).get("repository_bytes").asLong();
        cli.ok("forget", "--keep-last", "1", "--prune", "--repack-threshold", "0");
        assertEquals(1, json(cli.ok("snapshots", "--json")).size());
        long sizeAfter = json(cli.ok("stats", "--json")).get("repository_bytes").asLong();
        assertTrue(sizeAfter < sizeBefore - 600_000, sizeBefore + " -> " + sizeAfter);
        cli.ok("check", "--read-data");
        Path out = tmp.resolve("out");
        cli.ok("restore", "latest", "--target", out.toString());
        Path restored = out.resolve(src.toString().substring(1));
        assertEquals(Trees.describe(src), Trees.describe(restored));
    }

    @Test
    void locksKeepPruneAwayFromRunningBackupsAndUnlockRemovesStaleOnes() throws Exception {
        cli.ok("backup", src.toString());
        dev.lifeboat.repository.Repository repo = dev.lifeboat.repository.Repository.open(
                new dev.lifeboat.storage.local.LocalStorage(cli.repo()), "correct horse".toCharArray());
        try (var held = dev.lifeboat.repository.Locks.acquire(repo, false, "backup")) {
            Cli.Run prune = cli.run("prune");
            assertEquals(11, prune.exit(), prune.toString());
            assertTrue(prune.err().contains("locked"), prune.err());
            cli.ok("backup", src.toString()); // shared locks coexist
        }
        cli.ok("prune");
        // a lock of a process that no longer exists is stale
        var dead = new dev.lifeboat.repository.Lock(java.time.Instant.now(), true, dev.lifeboat.repository.Hosts.hostname(),
                "someone", 999_999_999L, "prune");
        repo.saveObject(dev.lifeboat.repository.Repository.LOCKS, Json.write(dead));
        cli.ok("backup", src.toString());
        // so is one that has not been refreshed for longer than the stale limit, wherever it came from
        var old = new dev.lifeboat.repository.Lock(java.time.Instant.now().minus(java.time.Duration.ofMinutes(31)), true,
                "another-host", "someone", 1L, "prune");
        repo.saveObject(dev.lifeboat.repository.Repository.LOCKS, Json.write(old));
        cli.ok("backup", src.toString());
        // but a fresh exclusive lock from another host is respected
        var alive = new dev.lifeboat.repository.Lock(java.time.Instant.now(), true, "another-host", "someone", 1L, "prune");
        repo.saveObject(dev.lifeboat.repository.Repository.LOCKS, Json.write(alive));
        assertEquals(11, cli.run("backup", src.toString()).exit());
        assertTrue(cli.ok("unlock").out().contains("removed 2"));
        assertEquals(1, Files.list(cli.repo().resolve("locks")).count(), "the live lock stays");
        cli.ok("unlock", "--remove-all");
        assertEquals(0, Files.list(cli.repo().resolve("locks")).count());
    }

    @Test
    void oneFileSystemDoesNotDescendIntoOtherMounts() throws Exception {
        Path mnt = src.resolve("mnt");
        Files.createDirectories(mnt);
        boolean mounted = "root".equals(System.getProperty("user.name"))
                && new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt.toString()).start().waitFor() == 0;
        org.junit.jupiter.api.Assumptions.assumeTrue(mounted, "needs root to mount a tmpfs");
        try {
            Files.writeString(mnt.resolve("other-fs.txt"), "on another file system");
            cli.ok("backup", src.toString(), "--one-file-system");
            String ls = cli.ok("ls", "latest").out();
            assertTrue(ls.contains(mnt.toString() + "\n"), "the mount point itself is kept");
            assertFalse(ls.contains("other-fs.txt"));
            cli.ok("backup", src.toString());
            assertTrue(cli.ok("ls", "latest").out().contains("other-fs.txt"));
        } finally {
            new ProcessBuilder("umount", "-l", mnt.toString()).start().waitFor();
        }
    }

    @Test
    void specialFilesAreRecordedAndFifosRestored() throws Exception {
        Path fifo = src.resolve("pipe");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        cli.ok("backup", src.toString());
        Path out = tmp.resolve("out");
        cli.ok("restore", "latest", "--target", out.toString());
        Path restored = out.resolve(src.toString().substring(1)).resolve("pipe");
        assertTrue(Files.exists(restored, LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.isRegularFile(restored, LinkOption.NOFOLLOW_LINKS));
    }
}
