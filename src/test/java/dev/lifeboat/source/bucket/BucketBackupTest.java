package dev.lifeboat.source.bucket;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.testing.Cli;
import dev.lifeboat.testing.S3ProxyServer;
import dev.lifeboat.util.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** An S3 bucket as a backup source, against a real S3 API (S3Proxy): incremental, faithful, and back into a bucket. */
class BucketBackupTest {
    static S3ProxyServer server;

    @TempDir
    Path tmp;
    Cli cli;
    String src;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null, "AWS_ACCESS_KEY_ID is set: it would win over the test credentials");
        server = S3ProxyServer.shared();
        System.setProperty("lifeboat.s3.accessKey", S3ProxyServer.ACCESS_KEY);
        System.setProperty("lifeboat.s3.secretKey", S3ProxyServer.SECRET_KEY);
    }

    @AfterAll
    static void done() {
        System.clearProperty("lifeboat.s3.accessKey");
        System.clearProperty("lifeboat.s3.secretKey");
    }

    @BeforeEach
    void setUp() throws Exception {
        cli = Cli.create(tmp, "pw");
        cli.ok("init");
        src = bucket("src");
    }

    private static String bucket(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        server.createBucket(name);
        return name;
    }

    /** The user's view of a bucket: key to content, content type and user metadata. */
    private static Map<String, String> contents(String bucket, String prefix) {
        Map<String, String> out = new TreeMap<>();
        try (S3Client s3 = server.client()) {
            for (S3Object o : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents()) {
                var in = s3.getObjectAsBytes(r -> r.bucket(bucket).key(o.key()));
                GetObjectResponse meta = in.response();
                out.put(o.key().substring(prefix.length()), Arrays.hashCode(in.asByteArray()) + " " + meta.contentType()
                        + " " + new TreeMap<>(meta.metadata()));
            }
        }
        return out;
    }

    private static void put(String bucket, String key, byte[] data, String type, Map<String, String> meta) {
        try (S3Client s3 = server.client()) {
            s3.putObject(r -> r.bucket(bucket).key(key).contentType(type).metadata(meta), RequestBody.fromBytes(data));
        }
    }

    private static JsonNode json(Cli.Run r) throws Exception {
        return Json.MAPPER.readTree(r.out());
    }

    @Test
    void backsUpIncrementallyAndRestoresIntoABucket() throws Exception {
        Random rnd = new Random(3);
        for (int i = 0; i < 12; i++) {
            byte[] data = new byte[1000 + rnd.nextInt(300_000)];
            rnd.nextBytes(data);
            put(src, "app/images/img-" + i + ".png", data, "image/png", Map.of("owner", "user-" + i));
        }
        put(src, "app/docs/readme.txt", "hello".getBytes(), "text/plain; charset=utf-8", Map.of());
        put(src, "app/a/b/c/deep name with spaces.bin", new byte[2_500_000], "application/octet-stream", Map.of("x-tag", "deep"));
        put(src, "outside.txt", "not under the prefix".getBytes(), "text/plain", Map.of());
        String location = server.location(src, "app");

        JsonNode first = json(cli.ok("backup", "--json", "bucket", location));
        assertEquals(14, first.at("/summary/filesNew").asInt(), first.toString());
        assertTrue(cli.ok("ls", "latest").out().contains("/images/img-3.png"));

        put(src, "app/docs/readme.txt", "hello again".getBytes(), "text/markdown", Map.of("rev", "2"));
        put(src, "app/new.txt", "new".getBytes(), "text/plain", Map.of());
        try (S3Client s3 = server.client()) {
            s3.deleteObject(r -> r.bucket(src).key("app/images/img-0.png"));
        }
        JsonNode second = json(cli.ok("backup", "--json", "bucket", location));
        assertEquals(1, second.at("/summary/filesNew").asInt(), second.toString());
        assertEquals(1, second.at("/summary/filesChanged").asInt(), second.toString());
        assertEquals(12, second.at("/summary/filesUnmodified").asInt(), "unchanged objects are not downloaded again: " + second);

        Map<String, String> expected = contents(src, "app/");
        assertTrue(expected.get("images/img-3.png").endsWith("image/png {owner=user-3}"), expected.toString());
        assertTrue(expected.get("docs/readme.txt").endsWith("text/markdown {rev=2}"), expected.toString());
        String dst = bucket("dst");
        cli.ok("restore", "latest", "--to-bucket", server.location(dst, "restored"));
        assertEquals(expected, contents(dst, "restored/"));

        JsonNode again = json(cli.ok("restore", "latest", "--json", "--to-bucket", server.location(dst, "restored"), "--skip-identical"));
        assertEquals(0, again.get("objects").asInt(), again.toString());
        assertEquals(expected.size(), again.get("skipped").asInt());

        String part = bucket("part");
        cli.ok("restore", "latest", "--to-bucket", server.location(part, ""), "--include", "/images");
        Map<String, String> images = new TreeMap<>();
        expected.forEach((k, v) -> {
            if (k.startsWith("images/")) {
                images.put(k, v);
            }
        });
        assertEquals(images, contents(part, ""));

        // And the same snapshot restores to a directory like any other.
        Path dir = tmp.resolve("dir");
        cli.ok("restore", "latest", "--target", dir.toString());
        assertEquals("hello again", Files.readString(dir.resolve("docs/readme.txt")));
        assertEquals(0, cli.run("check", "--read-data").exit());
    }

    @Test
    void missingBucketIsOneLineAndNoSnapshot() throws Exception {
        Cli.Run r = cli.run("backup", "bucket", server.location("no-such-bucket-" + UUID.randomUUID().toString().substring(0, 6), ""));
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("does not exist"), r.err());
        assertFalse(r.err().contains(S3ProxyServer.SECRET_KEY));
        assertTrue(cli.ok("snapshots").out().contains("0 snapshots"), cli.ok("snapshots").out());
    }

}
