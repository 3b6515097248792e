package dev.lifeboat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeboat.testing.Cli;
import dev.lifeboat.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A key file: a random secret that opens the repository wherever a passphrase file would, without the slow derivation. */
class KeyFileTest {
    @TempDir
    Path tmp;

    @Test
    void aKeyFileOpensTheRepositoryBesideThePassphrase() throws Exception {
        Cli cli = Cli.create(tmp, "pw");
        cli.ok("init");
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "hello");
        cli.ok("backup", data.toString());

        Path key = tmp.resolve("lifeboat.key");
        cli.ok("key", "add", "--new-key-file", key.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertTrue(Files.readString(key).startsWith("lifeboat-key:"), "a secret, not a passphrase");

        Cli withKey = cli.withPassword(key);
        withKey.ok("backup", data.toString());
        JsonNode keys = Json.MAPPER.readTree(withKey.ok("key", "list", "--json").out());
        assertEquals(2, keys.size());
        assertTrue(keys.toString().contains("hmac-sha256 (key file)"), keys.toString());
        withKey.ok("restore", "latest", "--target", tmp.resolve("out").toString());
        assertEquals("hello", Files.readString(tmp.resolve("out").resolve(data.toString().substring(1)).resolve("a.txt")));
        cli.ok("check", "--read-data");

        // Another secret, a damaged one, and the secret's text as a passphrase all fail as a wrong passphrase would.
        Path other = tmp.resolve("other.key");
        Files.writeString(other, "lifeboat-key:" + java.util.Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        assertEquals(12, cli.withPassword(other).run("snapshots").exit());
        Path damaged = tmp.resolve("damaged.key");
        Files.writeString(damaged, Files.readString(key).substring(0, 30) + "\n");
        Cli.Run r = cli.withPassword(damaged).run("snapshots");
        assertEquals(12, r.exit(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.err());

        // A key file is never overwritten: that would lock out whoever uses it.
        String before = Files.readString(key);
        Cli.Run again = cli.run("key", "add", "--new-key-file", key.toString());
        assertEquals(2, again.exit(), again.toString());
        assertTrue(again.err().contains("already exists"), again.err());
        assertEquals(before, Files.readString(key));
        assertEquals(2, Json.MAPPER.readTree(cli.ok("key", "list", "--json").out()).size());
    }
}
