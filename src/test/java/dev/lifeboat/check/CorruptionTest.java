package dev.lifeboat.check;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.testing.Cli;
import dev.lifeboat.testing.Trees;
import dev.lifeboat.util.Json;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Flips single bytes at random positions of every kind of repository file; check must notice each. */
class CorruptionTest {
    @TempDir
    Path tmp;
    Cli cli;
    Cli other;
    Path src;

    @BeforeEach
    void setUp() throws Exception {
        src = tmp.resolve("src");
        Trees.randomTree(src, 3, 60, 120_000);
        cli = Cli.create(tmp, "pw");
        cli.ok("init", "--pack-size", "256K", "--chunker-min", "8K", "--chunker-avg", "16K", "--chunker-max", "64K");
        cli.ok("backup", src.toString());
        Files.writeString(src.resolve("later.txt"), "second snapshot only");
        cli.ok("backup", src.toString());
        Path pw2 = tmp.resolve("pw2");
        Files.writeString(pw2, "second key");
        cli.ok("key", "add", "--new-password-file", pw2.toString());
        other = cli.withPassword(pw2);
        assertEquals(0, cli.run("check", "--read-data").exit());
    }

    private List<Path> files(String dir) throws Exception {
        try (Stream<Path> s = Files.walk(cli.repo().resolve(dir))) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void everyFlippedByteIsDetectedAndNamed() throws Exception {
        Random r = new Random(99);
        List<String> dirs = List.of("data", "index", "snapshots", "keys");
        int trials = 0;
        for (String dir : dirs) {
            List<Path> candidates = files(dir);
            int rounds = dir.equals("data") ? 16 : 6;
            for (int i = 0; i < rounds; i++) {
                Path f = candidates.get(r.nextInt(candidates.size()));
                byte[] original = Files.readAllBytes(f);
                byte[] damaged = original.clone();
                int pos = r.nextInt(damaged.length);
                damaged[pos] ^= (byte) (1 + r.nextInt(255));
                Files.write(f, damaged);
                try {
                    Cli.Run check = cli.run("check", "--read-data", "--json");
                    if (dir.equals("keys") && check.exit() == 12) {
                        // we damaged the key this passphrase opens; the other key must still open and report it
                        check = other.run("check", "--read-data", "--json");
                    }
                    String where = dir + " " + f.getFileName() + " byte " + pos;
                    assertEquals(13, check.exit(), where + ": " + check);
                    JsonNode j = Json.MAPPER.readTree(check.out());
                    assertFalse(j.get("ok").asBoolean());
                    String errors = j.get("errors").toString();
                    if (!dir.equals("index")) {
                        assertTrue(errors.contains(f.getFileName().toString().substring(0, 8)), where + " not named: " + errors);
                    }
                    if (dir.equals("data") || dir.equals("index")) {
                        // unless only the pack header was hit, damaged data is traced to snapshots and files
                        boolean headerOnly = errors.contains("header") && !errors.contains("blob");
                        if (!headerOnly) {
                            assertTrue(j.get("affected").size() > 0, where + ": no affected snapshot named: " + check.out());
                            assertTrue(j.get("affected").get(0).get("files").size() > 0);
                        }
                    }
                    trials++;
                } finally {
                    Files.write(f, original);
                }
            }
        }
        assertEquals(34, trials);
        assertEquals(0, cli.run("check", "--read-data").exit(), "repository whole again once bytes are restored");
    }

    @Test
    void aRestoreFromADamagedPackStopsWithOneLineNamingIt() throws Exception {
        List<String> snapshots = new java.util.ArrayList<>();
        Json.MAPPER.readTree(cli.ok("snapshots", "--json").out()).forEach(n -> snapshots.add(n.get("id").asText()));
        assertEquals(2, snapshots.size());
        List<Path> packs = files("data");
        Random r = new Random(5);
        for (int i = 0; i < 3; i++) {
            Path pack = packs.get(r.nextInt(packs.size()));
            byte[] original = Files.readAllBytes(pack);
            byte[] damaged = original.clone();
            // Among the first blobs, never in the pack's header, which a restore does not read (it
            // has the index): a pack of one small blob is mostly header.
            int header = 4 + java.nio.ByteBuffer.wrap(original, original.length - 4, 4)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
            damaged[r.nextInt(Math.min(damaged.length - header, 4096))] ^= 0x40;
            Files.write(pack, damaged);
            try {
                // The damaged blob belongs to one snapshot at least (a tree may be the older snapshot's only).
                int failed = 0;
                for (String snap : snapshots) {
                    Cli.Run run = cli.run("restore", snap, "--target", tmp.resolve("out-" + i + "-" + snap).toString());
                    if (run.exit() != 0) {
                        failed++;
                        assertEquals(1, run.err().strip().lines().count(), "one line: " + run.err());
                        assertTrue(run.err().contains(pack.getFileName().toString().substring(0, 12))
                                && run.err().contains("does not authenticate"), run.err());
                    }
                }
                assertTrue(failed > 0, "no restore noticed the damage in " + pack.getFileName());
            } finally {
                Files.write(pack, original);
            }
        }
        cli.ok("restore", "latest", "--target", tmp.resolve("out-whole").toString());
    }

    @Test
    void truncatedAndMissingObjectsAreReported() throws Exception {
        Path pack = files("data").get(0);
        byte[] original = Files.readAllBytes(pack);
        Files.write(pack, java.util.Arrays.copyOf(original, original.length / 2));
        Cli.Run check = cli.run("check");
        assertEquals(13, check.exit(), check.toString());
        assertTrue(check.out().contains("truncated"), check.out());
        Files.delete(pack);
        check = cli.run("check");
        assertEquals(13, check.exit());
        assertTrue(check.out().contains("missing"), check.out());
        assertTrue(check.out().contains("is damaged"), "affected snapshot listed: " + check.out());
        Files.write(pack, original);

        Path snap = files("snapshots").get(0);
        byte[] s = Files.readAllBytes(snap);
        Files.write(snap, new byte[]{1, 2, 3});
        Cli.Run ls = cli.run("snapshots");
        assertEquals(1, ls.exit());
        assertTrue(ls.err().startsWith("lifeboat: snapshots/" + snap.getFileName()), ls.err());
        assertEquals(1, ls.err().strip().lines().count(), "one line: " + ls.err());
        Files.write(snap, s);
        assertEquals(0, cli.run("check", "--read-data").exit());
    }

    @Test
    void damagedConfigOrOnlyKeyGivesOneClearLine() throws Exception {
        Path config = cli.repo().resolve("config");
        byte[] c = Files.readAllBytes(config);
        byte[] bad = c.clone();
        bad[bad.length - 3] ^= 1;
        Files.write(config, bad);
        Cli.Run run = cli.run("snapshots");
        assertEquals(1, run.exit());
        assertEquals("lifeboat: config does not authenticate (corrupt, or encrypted with another key)", run.err().strip());
        Files.write(config, c);

        List<Path> keys = files("keys");
        for (Path k : keys) {
            byte[] b = Files.readAllBytes(k);
            b[b.length / 2] ^= 0x20;
            Files.write(k, b);
        }
        run = cli.run("snapshots");
        assertEquals(12, run.exit());
        assertTrue(run.err().contains("key file(s) are damaged"), run.err());
    }
}
