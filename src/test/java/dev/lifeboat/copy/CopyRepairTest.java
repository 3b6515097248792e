package dev.lifeboat.copy;

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
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** init --copy-of, copy and repair --from, on real repositories on local disk. */
class CopyRepairTest {
    @TempDir
    Path tmp;
    Cli a;
    Path s1;
    Path s2;

    @BeforeEach
    void setUp() throws Exception {
        s1 = tmp.resolve("s1");
        s2 = tmp.resolve("s2");
        Trees.randomTree(s1, 1, 40, 100_000);
        Trees.randomTree(s2, 2, 40, 100_000);
        a = Cli.create(Files.createDirectories(tmp.resolve("a")), "pw-a");
        a.ok("init", "--pack-size", "128K", "--chunker-min", "8K", "--chunker-avg", "16K", "--chunker-max", "64K");
        a.ok("backup", s1.toString());
        a.ok("backup", s2.toString());
    }

    private Cli copyOf(Cli src, String name) throws Exception {
        Cli c = Cli.create(Files.createDirectories(tmp.resolve(name)), "pw-" + name);
        c.ok("init", "--copy-of", src.location(), "--from-password-file", src.passwordFile().toString());
        return c;
    }

    private static JsonNode json(Cli.Run r) throws Exception {
        return Json.MAPPER.readTree(r.out());
    }

    private static JsonNode copy(Cli dst, Cli src) throws Exception {
        return json(dst.ok("copy", "--from", src.location(), "--from-password-file", src.passwordFile().toString(), "--json"));
    }

    private static long blobs(JsonNode stats) {
        return stats.get("data_blobs").asLong() + stats.get("tree_blobs").asLong();
    }

    /** Restores every snapshot of repo and compares it with the directory it was taken of. */
    private void restoresIdentical(Cli repo, int expected) throws Exception {
        JsonNode snaps = json(repo.ok("snapshots", "--json"));
        assertEquals(expected, snaps.size(), snaps.toString());
        for (JsonNode s : snaps) {
            String path = s.get("paths").get(0).asText();
            Path out = Files.createTempDirectory(tmp, "restore");
            repo.ok("restore", s.get("id").asText(), "--target", out.toString());
            assertEquals(Trees.describe(Path.of(path)), Trees.describe(out.resolve(path.substring(1))), "snapshot of " + path);
        }
    }

    @Test
    void copiesOnlyWhatIsMissing() throws Exception {
        Cli b = copyOf(a, "b");
        JsonNode statsA = json(a.ok("stats", "--json"));
        JsonNode first = copy(b, a);
        assertEquals(2, first.get("snapshots_copied").asInt());
        assertEquals(blobs(statsA), first.get("blobs_copied").asLong());
        assertEquals(statsA.get("unique_data_bytes").asLong(), json(b.ok("stats", "--json")).get("unique_data_bytes").asLong());

        JsonNode again = copy(b, a);
        assertEquals(0, again.get("snapshots_copied").asInt());
        assertEquals(2, again.get("snapshots_skipped").asInt());
        assertEquals(0, again.get("blobs_copied").asLong());
        assertEquals(0, again.get("bytes_copied").asLong());

        Path s3 = tmp.resolve("s3");
        Trees.randomTree(s3, 3, 30, 100_000);
        Path shared;
        try (Stream<Path> s = Files.walk(s1)) {
            shared = s.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
        }
        Files.copy(shared, s3.resolve("shared")); // already in both repositories: not copied again
        a.ok("backup", s3.toString());
        JsonNode statsA2 = json(a.ok("stats", "--json"));
        JsonNode statsB1 = json(b.ok("stats", "--json"));
        JsonNode third = copy(b, a);
        assertEquals(1, third.get("snapshots_copied").asInt());
        assertEquals(blobs(statsA2) - blobs(statsA), third.get("blobs_copied").asLong());
        JsonNode statsB2 = json(b.ok("stats", "--json"));
        assertEquals(blobs(statsB2) - blobs(statsB1), third.get("blobs_copied").asLong());
        assertEquals(statsA2.get("unique_data_bytes").asLong() - statsA.get("unique_data_bytes").asLong(),
                statsB2.get("unique_data_bytes").asLong() - statsB1.get("unique_data_bytes").asLong());
        for (String k : List.of("data_blobs", "tree_blobs", "unique_data_bytes", "snapshots")) {
            assertEquals(statsA2.get(k), statsB2.get(k), k);
        }

        restoresIdentical(b, 3);
        assertEquals(0, b.run("check", "--read-data").exit());
        // a copy of a copy works too, and a single snapshot can be chosen
        Cli c = copyOf(b, "c");
        String latest = json(b.ok("snapshots", "--json")).get(2).get("id").asText();
        JsonNode one = json(c.ok("copy", latest.substring(0, 8), "--from", b.location(), "--from-password-file",
                b.passwordFile().toString(), "--json"));
        assertEquals(1, one.get("snapshots_copied").asInt());
        restoresIdentical(c, 1);
    }

    @Test
    void refusesARepositoryThatIsNotACopy() throws Exception {
        Cli plain = Cli.create(Files.createDirectories(tmp.resolve("plain")), "pw-plain");
        plain.ok("init", "--pack-size", "128K", "--chunker-min", "8K", "--chunker-avg", "16K", "--chunker-max", "64K");
        Map<String, String> before = Trees.fingerprint(plain.repo());
        Map<String, String> source = Trees.fingerprint(a.repo());
        Cli.Run r = plain.run("copy", "--from", a.location(), "--from-password-file", a.passwordFile().toString());
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.toString());
        assertTrue(r.err().contains("is not a copy of " + a.location()), r.err());
        assertEquals(before, Trees.fingerprint(plain.repo()));
        assertEquals(source, Trees.fingerprint(a.repo()));

        Cli.Run repair = plain.run("repair", "--from", a.location(), "--from-password-file", a.passwordFile().toString());
        assertEquals(1, repair.exit(), repair.toString());
        assertTrue(repair.err().contains("is not a copy of"), repair.err());
        assertEquals(before, Trees.fingerprint(plain.repo()));

        Cli.Run wrongPw = a.run("copy", "--from", a.location(), "--from-password-file", plain.passwordFile().toString());
        assertEquals(12, wrongPw.exit(), wrongPw.toString());
    }

    private List<Path> files(Cli c, String dir) throws Exception {
        try (Stream<Path> s = Files.walk(c.repo().resolve(dir))) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void aDamagedSourceBlobStopsTheCopyBeforeAnySnapshotIsWritten() throws Exception {
        Cli b = copyOf(a, "b");
        // The largest pack holds data: trees are small. A copy verifies what it re-seals.
        Path pack = files(a, "data").stream()
                .max(java.util.Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        byte[] bytes = Files.readAllBytes(pack);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(pack, bytes);
        Cli.Run r = b.run("copy", "--from", a.location(), "--from-password-file", a.passwordFile().toString());
        assertNotEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains(pack.getFileName().toString().substring(0, 12)) && r.err().contains("does not authenticate"),
                r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals(0, json(b.ok("snapshots", "--json")).size(), "no snapshot may point at data that was not copied");
    }

    @Test
    void aDamagedCopyHealsFromTheOther() throws Exception {
        Cli b = copyOf(a, "b");
        copy(b, a);
        List<Path> packs = files(a, "data");
        assertTrue(packs.size() >= 6, "enough packs: " + packs.size());
        List<String> damaged = new ArrayList<>();
        for (int i : new int[]{0, 2}) {
            Path p = packs.get(i);
            byte[] bytes = Files.readAllBytes(p);
            bytes[bytes.length / 3] ^= 0x5a;
            Files.write(p, bytes);
            damaged.add(p.getFileName().toString());
        }
        Path gone = packs.get(packs.size() - 1);
        Files.delete(gone);
        damaged.add(gone.getFileName().toString());
        Path snap = files(a, "snapshots").get(0);
        byte[] sb = Files.readAllBytes(snap);
        sb[sb.length / 2] ^= 1;
        Files.write(snap, sb);
        damaged.add(snap.getFileName().toString());

        Cli.Run check = a.run("check", "--read-data", "--json");
        assertEquals(13, check.exit(), check.toString());
        String errors = json(check).get("errors").toString();
        for (String name : damaged) {
            assertTrue(errors.contains(name.substring(0, 12)), name + " not named: " + errors);
        }

        Cli.Run repair = a.run("repair", "--from", b.location(), "--from-password-file", b.passwordFile().toString(), "--json");
        assertEquals(0, repair.exit(), repair.toString());
        JsonNode r = json(repair);
        assertTrue(r.get("ok").asBoolean());
        assertEquals(3, r.get("packs_damaged").asInt(), r.toString());
        assertEquals(2, r.get("packs_deleted").asInt(), r.toString());
        assertEquals(1, r.get("snapshots_restored").size(), r.toString());
        assertEquals(1, r.get("snapshot_files_deleted").asInt(), r.toString());
        assertTrue(r.get("blobs_from_copy").asLong() > 0, r.toString());
        assertTrue(r.get("blobs_salvaged").asLong() > 0, r.toString());
        assertEquals(0, r.get("blobs_lost").size(), r.toString());
        Cli.Run after = a.run("check", "--read-data");
        assertEquals(0, after.exit(), after.toString());
        for (String name : damaged) {
            assertTrue(Files.walk(a.repo()).noneMatch(p -> p.getFileName().toString().equals(name)), name + " still present");
        }
        restoresIdentical(a, 2);
        // a second repair finds nothing to do
        Cli.Run again = a.run("repair", "--from", b.location(), "--from-password-file", b.passwordFile().toString());
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.out().contains("nothing to repair"), again.out());
    }

    @Test
    void dataTheCopyLacksIsNamedAndNothingIsDeleted() throws Exception {
        Cli b = copyOf(a, "b");
        String first = json(a.ok("snapshots", "--json")).get(0).get("id").asText();
        b.ok("copy", first.substring(0, 8), "--from", a.location(), "--from-password-file", a.passwordFile().toString());
        // damage every pack of a: what only the second snapshot (s2) needs exists nowhere else
        for (Path p : files(a, "data")) {
            byte[] bytes = Files.readAllBytes(p);
            bytes[8] ^= 0x5a;
            Files.write(p, bytes);
        }
        Cli.Run repair = a.run("repair", "--from", b.location(), "--from-password-file", b.passwordFile().toString());
        assertEquals(13, repair.exit(), repair.toString());
        assertTrue(repair.out().contains("stays damaged"), repair.out());
        assertTrue(repair.out().contains("/s2/"), repair.out());
        assertNotEquals(0, a.run("check", "--read-data").exit());
    }
}
