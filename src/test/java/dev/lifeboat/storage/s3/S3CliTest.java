package dev.lifeboat.storage.s3;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.testing.Cli;
import dev.lifeboat.testing.S3ProxyServer;
import dev.lifeboat.testing.Trees;
import dev.lifeboat.util.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real CLI against a real S3 API (S3Proxy child process). Credentials reach the CLI through the
 * system properties lifeboat.s3.accessKey / lifeboat.s3.secretKey (the fallback when AWS_ACCESS_KEY_ID is unset).
 */
class S3CliTest {
    static final String BUCKET = "cli";
    static S3ProxyServer server;

    @TempDir
    Path tmp;
    String location;
    Cli cli;

    @BeforeAll
    static void startServer() throws Exception {
        assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null, "AWS_ACCESS_KEY_ID is set: it would win over the test credentials");
        server = S3ProxyServer.shared();
        server.createBucket(BUCKET);
    }

    @BeforeEach
    void setUp() throws Exception {
        useCredentials(S3ProxyServer.SECRET_KEY);
        location = server.location(BUCKET, "repos/" + UUID.randomUUID().toString().substring(0, 8));
        cli = Cli.forLocation(location, tmp, "s3 passphrase");
    }

    @AfterEach
    void clearCredentials() {
        System.clearProperty("lifeboat.s3.accessKey");
        System.clearProperty("lifeboat.s3.secretKey");
    }

    @AfterAll
    static void done() {
        System.clearProperty("lifeboat.s3.accessKey");
        System.clearProperty("lifeboat.s3.secretKey");
    }

    private static void useCredentials(String secret) {
        System.setProperty("lifeboat.s3.accessKey", S3ProxyServer.ACCESS_KEY);
        System.setProperty("lifeboat.s3.secretKey", secret);
    }

    static JsonNode json(Cli.Run r) throws Exception {
        return Json.MAPPER.readTree(r.out());
    }

    private static void oneLine(Cli.Run r, String contains) {
        assertNotEquals(0, r.exit(), r.toString());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "exactly one line on stderr: " + err);
        assertTrue(err.startsWith("lifeboat: "), err);
        assertTrue(err.contains(contains), "expected \"" + contains + "\" in: " + err);
        assertFalse(err.contains(S3ProxyServer.SECRET_KEY), "no secrets in messages: " + err);
        assertFalse(r.out().contains(S3ProxyServer.SECRET_KEY), "no secrets in output");
    }

    private Set<String> keys() {
        String prefix = location.substring(location.indexOf("/" + BUCKET + "/") + BUCKET.length() + 2) + "/";
        Set<String> out = new TreeSet<>();
        try (S3Client s3 = server.client()) {
            for (S3Object o : s3.listObjectsV2Paginator(r -> r.bucket(BUCKET).prefix(prefix)).contents()) {
                out.add(o.key().substring(prefix.length()));
            }
        }
        return out;
    }

    @Test
    void initBackupRestoreCheckForgetPrune() throws Exception {
        Path src = tmp.resolve("src");
        Trees.randomTree(src, 42, 60, 400_000);
        Files.write(src.resolve("big.bin"), randomBytes(20 * 1024 * 1024, 7)); // more than one 16 MiB pack
        Cli.Run init = cli.ok("init");
        assertTrue(init.out().contains("at " + location), init.out());
        assertTrue(keys().contains("config"), keys().toString());

        String first = json(cli.ok("backup", src.toString(), "--json")).get("snapshot").asText();
        Path out = tmp.resolve("out1");
        cli.ok("restore", first.substring(0, 8), "--target", out.toString());
        assertEquals(Trees.describe(src), Trees.describe(out.resolve(src.toString().substring(1))));

        for (int i = 0; i < 3; i++) {
            Files.write(src.resolve("unique-" + i + ".bin"), randomBytes(500_000, 100 + i));
            if (i > 0) {
                Files.delete(src.resolve("unique-" + (i - 1) + ".bin"));
            }
            cli.ok("backup", src.toString());
        }
        assertEquals(4, json(cli.ok("snapshots", "--json")).size());
        cli.ok("check", "--read-data");
        long sizeBefore = json(cli.ok("stats", "--json")).get("repository_bytes").asLong();

        cli.ok("forget", "--keep-last", "1", "--prune", "--repack-threshold", "0");
        assertEquals(1, json(cli.ok("snapshots", "--json")).size());
        long sizeAfter = json(cli.ok("stats", "--json")).get("repository_bytes").asLong();
        assertTrue(sizeAfter < sizeBefore - 600_000, "prune freed the forgotten data: " + sizeBefore + " -> " + sizeAfter);
        cli.ok("check", "--read-data");

        Path out2 = tmp.resolve("out2");
        cli.ok("restore", "latest", "--target", out2.toString());
        assertEquals(Trees.describe(src), Trees.describe(out2.resolve(src.toString().substring(1))));
        assertFalse(keys().stream().anyMatch(k -> k.startsWith("tmp/")), "nothing staged in the bucket");
        oneLine(cli.run("init"), "already exists");
    }

    @Test
    void wrongCredentials() throws Exception {
        cli.ok("init");
        Set<String> before = keys();
        useCredentials("wrong-secret");
        oneLine(cli.run("snapshots"), "access denied to " + location + ": check credentials");
        oneLine(cli.run("backup", tmp.toString()), "check credentials");
        Cli other = Cli.forLocation(server.location(BUCKET, "repos/never"), tmp, "s3 passphrase");
        oneLine(other.run("init"), "check credentials");
        useCredentials(S3ProxyServer.SECRET_KEY);
        assertEquals(before, keys());
    }

    @Test
    void bucketThatDoesNotExist() throws Exception {
        Cli none = Cli.forLocation(server.location("no-such-bucket", "x"), tmp, "s3 passphrase");
        oneLine(none.run("init"), "bucket no-such-bucket does not exist");
        oneLine(none.run("snapshots"), "bucket no-such-bucket does not exist");
        oneLine(none.run("backup", tmp.toString()), "bucket no-such-bucket does not exist");
    }

    @Test
    void emptyPrefixIsNotARepository() throws Exception {
        Cli.Run r = cli.run("snapshots");
        assertEquals(10, r.exit(), r.toString());
        oneLine(r, "not a Lifeboat repository");
    }

    @Test
    void unreachableEndpoint() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Cli nowhere = Cli.forLocation("s3:http://127.0.0.1:" + closed + "/bucket/repo", tmp, "s3 passphrase");
        long start = System.nanoTime();
        oneLine(nowhere.run("snapshots"), "cannot reach S3 endpoint http://127.0.0.1:" + closed);
        oneLine(nowhere.run("init"), "cannot reach S3 endpoint");
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertTrue(seconds < 60, "retries are bounded: " + seconds + "s");
    }

    @Test
    void badLocations() throws Exception {
        for (String bad : List.of("s3:", "s3:http://127.0.0.1:1/", "s3:ftp://host/bucket", "s3:https://key:secret@host/bucket")) {
            Cli c = Cli.forLocation(bad, tmp, "s3 passphrase");
            Cli.Run r = c.run("snapshots");
            assertEquals(2, r.exit(), r.toString());
            assertEquals(1, r.err().strip().lines().count(), r.toString());
            assertFalse(r.err().contains("secret@"), r.err());
        }
    }

    /** Every cached object of the metadata cache under root, by its name in the repository. */
    private static java.util.Map<String, Path> cached(Path root) throws Exception {
        java.util.Map<String, Path> out = new java.util.TreeMap<>();
        if (Files.isDirectory(root)) {
            try (var files = Files.walk(root)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    Path rel = root.relativize(p);
                    out.put(rel.subpath(1, rel.getNameCount()).toString(), p); // below the per-location directory
                }
            }
        }
        return out;
    }

    private static boolean intact(String name, Path file) throws Exception {
        return dev.lifeboat.repository.Repository.sha256Hex(Files.readAllBytes(file)).equals(name.substring(name.lastIndexOf('/') + 1));
    }

    @Test
    void metadataCacheMakesCommandsFasterButNeverDecides() throws Exception {
        String saved = System.getProperty(Cli.CACHE_PROPERTY);
        Path root = tmp.resolve("cache");
        System.setProperty(Cli.CACHE_PROPERTY, root.toString());
        try {
            Path src = tmp.resolve("src");
            Trees.randomTree(src, 11, 40, 200_000);
            cli.ok("init");
            cli.ok("backup", src.toString());
            java.util.Map<String, Path> cache = cached(root);
            for (String dir : List.of("keys/", "index/", "snapshots/", "data/")) {
                assertTrue(cache.keySet().stream().anyMatch(n -> n.startsWith(dir)), dir + " is cached: " + cache.keySet());
            }
            assertTrue(keys().containsAll(cache.keySet()), "only objects of the repository are cached");

            // damaged cached copies are passed over and replaced from the repository
            for (Path f : cache.values()) {
                byte[] b = Files.readAllBytes(f);
                b[b.length / 2] ^= 0x40;
                Files.write(f, b);
            }
            Files.writeString(cache.get(cache.keySet().stream().filter(n -> n.startsWith("index/")).findFirst().orElseThrow()), "x");
            Path out = tmp.resolve("out");
            cli.ok("restore", "latest", "--target", out.toString());
            assertEquals(Trees.describe(src), Trees.describe(out.resolve(src.toString().substring(1))));
            for (var e : cached(root).entrySet()) {
                assertTrue(intact(e.getKey(), e.getValue()), e.getKey() + " was read again from the repository");
            }

            // check reads the repository itself: damage there is found although the cache holds a good copy
            String index = keys().stream().filter(k -> k.startsWith("index/")).findFirst().orElseThrow();
            String prefix = location.substring(location.indexOf("/" + BUCKET + "/") + BUCKET.length() + 2) + "/";
            byte[] good;
            try (S3Client s3 = server.client()) {
                good = s3.getObjectAsBytes(r -> r.bucket(BUCKET).key(prefix + index)).asByteArray();
                byte[] bad = good.clone();
                bad[bad.length / 2] ^= 1;
                s3.putObject(r -> r.bucket(BUCKET).key(prefix + index), software.amazon.awssdk.core.sync.RequestBody.fromBytes(bad));
            }
            Cli.Run check = cli.run("check");
            assertNotEquals(0, check.exit(), check.toString());
            assertTrue(check.toString().contains("index"), check.toString());
            try (S3Client s3 = server.client()) {
                s3.putObject(r -> r.bucket(BUCKET).key(prefix + index), software.amazon.awssdk.core.sync.RequestBody.fromBytes(good));
            }

            // a removed key stays removed, although its key file is still in the cache
            Path otherPw = tmp.resolve("other-password");
            Files.writeString(otherPw, "another s3 passphrase\n");
            cli.ok("key", "add", "--new-password-file", otherPw.toString());
            Cli other = cli.withPassword(otherPw);
            JsonNode list = json(other.ok("key", "list", "--json"));
            String firstKey = null;
            for (JsonNode k : list) {
                if (!k.get("current").asBoolean()) {
                    firstKey = k.get("id").asText();
                }
            }
            assertTrue(cached(root).keySet().stream().anyMatch(n -> n.startsWith("keys/")), "key files are cached");
            other.ok("key", "remove", firstKey.substring(0, 8));
            Cli.Run removed = cli.run("snapshots");
            assertEquals(12, removed.exit(), removed.toString());
            oneLine(removed, "wrong passphrase");
            assertEquals(1, json(other.ok("snapshots", "--json")).size());

            // prune replaces index files: what was read ahead from the cache is dropped, nothing is lost
            Files.write(src.resolve("new.bin"), randomBytes(300_000, 5));
            other.ok("backup", src.toString());
            other.ok("forget", "--keep-last", "1", "--prune", "--repack-threshold", "0");
            Files.write(src.resolve("newer.bin"), randomBytes(300_000, 6));
            other.ok("backup", src.toString());
            other.ok("check", "--read-data");
            Path out2 = tmp.resolve("out2");
            other.ok("restore", "latest", "--target", out2.toString());
            assertEquals(Trees.describe(src), Trees.describe(out2.resolve(src.toString().substring(1))));
            assertTrue(keys().containsAll(cached(root).keySet()), "objects pruned from the repository leave the cache");
        } finally {
            System.setProperty(Cli.CACHE_PROPERTY, saved);
        }
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
