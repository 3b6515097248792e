package dev.lifeboat.copy;

import dev.lifeboat.testing.Cli;
import dev.lifeboat.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** backup --copy-to replicates each new snapshot to its copies as soon as it is saved. */
class BackupCopyToTest {
    @TempDir
    Path tmp;

    @Test
    void aBackupIsCopiedWhenItFinishesAndAFailedCopyDoesNotLoseTheBackup() throws Exception {
        Path src = tmp.resolve("src");
        Trees.randomTree(src, 11, 40, 80_000);
        Cli a = Cli.create(Files.createDirectories(tmp.resolve("a")), "pass a");
        Cli b = Cli.create(Files.createDirectories(tmp.resolve("b")), "pass b");
        a.ok("init");
        b.ok("init", "--copy-of", a.location(), "--from-password-file", a.passwordFile().toString());

        a.ok("backup", src.toString(), "--copy-to", b.location(), "--copy-to-password-file", b.passwordFile().toString());
        Files.writeString(src.resolve("later.txt"), "second");
        a.ok("backup", src.toString(), "--copy-to", b.location(), "--copy-to-password-file", b.passwordFile().toString());
        assertEquals(2, b.ok("snapshots", "--json").out().split("\"short_id\"").length - 1);
        Path out = tmp.resolve("out");
        b.ok("restore", "latest", "--target", out.toString());
        assertEquals(Trees.describe(src), Trees.describe(out.resolve(src.toString().substring(1))));
        b.ok("check", "--read-data");

        Cli notACopy = Cli.create(Files.createDirectories(tmp.resolve("c")), "pass c");
        notACopy.ok("init");
        Cli.Run r = a.run("backup", src.toString(), "--copy-to", notACopy.location(),
                "--copy-to-password-file", notACopy.passwordFile().toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("is saved, but copying it to"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals(3, a.ok("snapshots", "--json").out().split("\"short_id\"").length - 1, "the backup itself is kept");
    }
}
