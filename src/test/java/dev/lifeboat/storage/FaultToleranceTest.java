package dev.lifeboat.storage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.cli.StorageHook;
import dev.lifeboat.storage.local.LocalStorage;
import dev.lifeboat.testing.Cli;
import dev.lifeboat.testing.FaultyStorage;
import dev.lifeboat.testing.S3ProxyServer;
import dev.lifeboat.testing.Trees;
import dev.lifeboat.util.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real CLI, in-process, against real backends (a local directory, S3Proxy) with faults injected
 * between the backend and the retry layer (see {@link FaultyStorage} and dev.lifeboat.cli.StorageHook).
 */
class FaultToleranceTest {
    /** Short delays keep the test fast; the attempt count is the production one. */
    static final RetryingStorage.Policy FAST = new RetryingStorage.Policy(6, Duration.ofMillis(5), Duration.ofMillis(100));
    /** Small packs so that a modest tree spans many packs (and index flushes, every 32 packs). */
    static final String[] SMALL_PACKS = {"--pack-size", "64K", "--chunker-min", "4K", "--chunker-avg", "16K", "--chunker-max", "64K"};

    @TempDir
    Path tmp;

    private AutoCloseable hook;
    private final List<FaultyStorage> made = new ArrayList<>();
    private volatile Consumer<FaultyStorage> configure = f -> { };
    private final AtomicLong seeds = new AtomicLong(1234);

    @AfterEach
    void uninstall() throws Exception {
        if (hook != null) {
            hook.close();
        }
        System.clearProperty("lifeboat.s3.accessKey");
        System.clearProperty("lifeboat.s3.secretKey");
    }

    /** Every storage the CLI opens from now on is wrapped in a FaultyStorage set up by configure. */
    private void injectFaults() {
        hook = StorageHook.install(backend -> {
            FaultyStorage f = new FaultyStorage(backend, seeds.getAndIncrement());
            configure.accept(f);
            synchronized (made) {
                made.add(f);
            }
            return f;
        }, FAST);
    }

    private long injected() {
        synchronized (made) {
            return made.stream().mapToLong(FaultyStorage::injectedTotal).sum();
        }
    }

    private Cli s3Cli() throws Exception {
        assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null, "AWS_ACCESS_KEY_ID is set: it would win over the test credentials");
        S3ProxyServer server = S3ProxyServer.shared();
        server.createBucket("faults");
        System.setProperty("lifeboat.s3.accessKey", S3ProxyServer.ACCESS_KEY);
        System.setProperty("lifeboat.s3.secretKey", S3ProxyServer.SECRET_KEY);
        String location = server.location("faults", "repos/" + UUID.randomUUID().toString().substring(0, 8));
        return Cli.forLocation(location, tmp, "faulty passphrase");
    }

    private String describeInjected() {
        StringBuilder sb = new StringBuilder();
        synchronized (made) {
            for (FaultyStorage.Fault f : FaultyStorage.Fault.values()) {
                sb.append(f).append('=').append(made.stream().mapToLong(m -> m.injected(f)).sum()).append(' ');
            }
        }
        return sb.toString().strip();
    }

    private static JsonNode json(Cli.Run r) throws Exception {
        return Json.MAPPER.readTree(r.out());
    }

    private static String[] concat(String first, String... rest) {
        String[] out = new String[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    // (a) and (b)

    @Test
    void localSurvivesTenPercentFaults() throws Exception {
        survivesFaults(Cli.create(tmp, "faulty passphrase"));
    }

    @Test
    void s3SurvivesTenPercentFaults() throws Exception {
        survivesFaults(s3Cli());
    }

    private void survivesFaults(Cli cli) throws Exception {
        configure = f -> f.failureRate(0.10);
        injectFaults();
        Path src = tmp.resolve("src");
        Trees.randomTree(src, 7, 150, 150_000);
        cli.ok(concat("init", SMALL_PACKS));
        String first = json(cli.ok("backup", src.toString(), "--json")).get("snapshot").asText();

        Files.write(src.resolve("added.bin"), randomBytes(300_000, 11));
        try (var files = Files.walk(src)) {
            Files.delete(files.filter(p -> Files.isRegularFile(p) && !p.endsWith("added.bin")).sorted().findFirst().orElseThrow());
        }
        Files.createDirectories(src.resolve("d1"));
        Files.writeString(src.resolve("d1").resolve("changed.txt"), "changed ".repeat(5000));
        String second = json(cli.ok("backup", src.toString(), "--json")).get("snapshot").asText();
        assertNotEquals(first, second);

        Path out = tmp.resolve("out");
        cli.ok("restore", second.substring(0, 8), "--target", out.toString());
        assertEquals(Trees.describe(src), Trees.describe(out.resolve(src.toString().substring(1))));
        assertTrue(injected() > 20, "faults were injected: " + injected());
        System.out.println((cli.location().startsWith("s3:") ? "s3" : "local") + " faults injected: " + describeInjected());

        configure = f -> { };
        Cli.Run check = cli.ok("check", "--read-data");
        assertTrue(check.err().isBlank(), check.toString());
        assertEquals(2, json(cli.ok("snapshots", "--json")).size());
    }

    // (c)

    @Test
    void localBackendDownThenBack() throws Exception {
        downThenBack(Cli.create(tmp, "faulty passphrase"));
    }

    @Test
    void s3BackendDownThenBack() throws Exception {
        downThenBack(s3Cli());
    }

    private void downThenBack(Cli cli) throws Exception {
        injectFaults();
        Path src = tmp.resolve("src");
        long dataSize = 0;
        for (int i = 0; i < 24; i++) {
            byte[] data = randomBytes(200_000, 100 + i); // incompressible: ~75 packs of 64 KiB
            Files.createDirectories(src.resolve("d" + i % 3));
            Files.write(src.resolve("d" + i % 3).resolve("f" + i), data);
            dataSize += data.length;
        }
        cli.ok(concat("init", SMALL_PACKS));

        // down from the start
        configure = f -> f.down(true);
        Cli.Run r = cli.run("backup", src.toString());
        oneLineFailure(r, "storage unavailable");

        // goes down mid-backup, right after the first index file (32 packs) was stored
        configure = f -> f.downAfterSaves("index/", 1);
        r = cli.run("backup", src.toString());
        oneLineFailure(r, "storage unavailable");

        configure = f -> { };
        assertEquals(0, json(cli.ok("snapshots", "--json")).size(), "no snapshot from failed backups");
        cli.ok("check");

        JsonNode summary = json(cli.ok("backup", src.toString(), "--json")).get("summary");
        long added = summary.get("bytesAdded").asLong();
        assertTrue(added < dataSize * 3 / 4, "the packs of the failed backup are reused: added " + added + " of " + dataSize);
        assertEquals(1, json(cli.ok("snapshots", "--json")).size());
        cli.ok("check", "--read-data");
        Path out = tmp.resolve("out");
        cli.ok("restore", "latest", "--target", out.toString());
        assertEquals(Trees.describe(src), Trees.describe(out.resolve(src.toString().substring(1))));
    }

    private static void oneLineFailure(Cli.Run r, String contains) {
        assertNotEquals(0, r.exit(), r.toString());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "exactly one line on stderr: " + r);
        assertTrue(err.startsWith("lifeboat: ") && err.contains(contains), r.toString());
    }

    // (d)

    @Test
    void retryingStorageGivesUpAfterTheAttemptLimitWithTheLastError() throws Exception {
        FaultyStorage faulty = new FaultyStorage(new LocalStorage(tmp.resolve("repo")), 1);
        List<Long> sleeps = new ArrayList<>();
        RetryingStorage.Policy policy = new RetryingStorage.Policy(4, Duration.ofMillis(100), Duration.ofMillis(250));
        RetryingStorage retrying = new RetryingStorage(faulty, policy, sleeps::add, new Random(5));

        retrying.save("keys/a", new byte[]{1, 2, 3});
        assertArrayEquals(new byte[]{1, 2, 3}, retrying.load("keys/a"));
        assertEquals(0, retrying.retries());

        faulty.down(true);
        long before = faulty.calls();
        IOException e = assertThrows(IOException.class, () -> retrying.load("keys/a"));
        assertEquals("injected 503: storage unavailable (load)", e.getMessage());
        assertEquals(4, faulty.calls() - before, "4 attempts");
        assertEquals(3, sleeps.size(), "a pause between attempts: " + sleeps);
        long[] bounds = {100, 200, 250};
        for (int i = 0; i < 3; i++) {
            assertTrue(sleeps.get(i) >= 0 && sleeps.get(i) < bounds[i], "full jitter below the capped bound: " + sleeps);
        }
        faulty.down(false);
        assertArrayEquals(new byte[]{1, 2, 3}, retrying.load("keys/a"));
    }

    @Test
    void retryingStorageDoesNotRetryMissingObjectsOrPermanentErrors() throws Exception {
        FaultyStorage faulty = new FaultyStorage(new LocalStorage(tmp.resolve("repo")), 1);
        List<Long> sleeps = new ArrayList<>();
        RetryingStorage retrying = new RetryingStorage(faulty, RetryingStorage.Policy.DEFAULT, sleeps::add, new Random(5));

        long before = faulty.calls();
        assertThrows(ObjectNotFoundException.class, () -> retrying.load("data/00/missing"));
        assertThrows(ObjectNotFoundException.class, () -> retrying.load("data/00/missing", 0, 10));
        assertEquals(2, faulty.calls() - before);

        before = faulty.calls();
        IOException e = assertThrows(PermanentStorageException.class, () -> retrying.save("../outside", new byte[1]));
        assertTrue(e.getMessage().contains("invalid object name"), e.getMessage());
        assertEquals(1, faulty.calls() - before);
        assertTrue(sleeps.isEmpty(), sleeps.toString());
        assertFalse(RetryingStorage.isTransient(new PermanentStorageException("access denied")));
        assertTrue(RetryingStorage.isTransient(new SocketTimeoutException("read timed out")));
    }

    @Test
    void s3PermanentErrorsAreNotRetried() throws Exception {
        Cli cli = s3Cli(); // starts the server and sets the test credentials
        S3ProxyServer server = S3ProxyServer.shared();
        List<Long> sleeps = new ArrayList<>();
        String missingBucket = server.location("no-such-bucket-" + UUID.randomUUID().toString().substring(0, 8), "repo");
        try (FaultyStorage faulty = new FaultyStorage(dev.lifeboat.storage.s3.S3Storage.open(missingBucket), 1)) {
            RetryingStorage retrying = new RetryingStorage(faulty, RetryingStorage.Policy.DEFAULT, sleeps::add, new Random(5));
            IOException e = assertThrows(PermanentStorageException.class, () -> retrying.size("config"));
            assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
            assertEquals(1, faulty.calls());
        }
        System.setProperty("lifeboat.s3.secretKey", "wrong-secret");
        try (FaultyStorage faulty = new FaultyStorage(dev.lifeboat.storage.s3.S3Storage.open(cli.location()), 1)) {
            RetryingStorage retrying = new RetryingStorage(faulty, RetryingStorage.Policy.DEFAULT, sleeps::add, new Random(5));
            IOException e = assertThrows(PermanentStorageException.class, () -> retrying.list("snapshots/"));
            assertTrue(e.getMessage().contains("access denied"), e.getMessage());
            assertEquals(1, faulty.calls());
        }
        assertTrue(sleeps.isEmpty(), sleeps.toString());
    }

    @Test
    void retriedSaveFileKeepsTheSourceUntilItSucceeds() throws Exception {
        LocalStorage local = new LocalStorage(tmp.resolve("repo"));
        FaultyStorage faulty = new FaultyStorage(local, 3).failureRate(FaultyStorage.Op.SAVE_FILE, 0.7);
        RetryingStorage retrying = new RetryingStorage(faulty, new RetryingStorage.Policy(40, Duration.ZERO, Duration.ZERO));
        for (int i = 0; i < 20; i++) {
            byte[] data = randomBytes(10_000 + i, i);
            Path staged = Files.createTempFile(retrying.stagingDir(), "pack-", ".tmp");
            Files.write(staged, data);
            retrying.saveFile("data/0" + i % 10 + "/pack" + i, staged);
            assertFalse(Files.exists(staged), "moved into place");
            assertArrayEquals(data, local.load("data/0" + i % 10 + "/pack" + i), "a partial write was overwritten");
        }
        assertTrue(faulty.injected(FaultyStorage.Fault.PARTIAL_WRITE) > 0 && faulty.injected(FaultyStorage.Fault.LOST_ACK) > 0);
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
