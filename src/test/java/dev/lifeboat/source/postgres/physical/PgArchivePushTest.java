package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.source.postgres.cluster.LocalCluster;
import dev.lifeboat.source.postgres.cluster.ServerUser;
import dev.lifeboat.testing.Cli;
import dev.lifeboat.testing.PgExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.lifeboat.source.postgres.physical.PhysicalFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * archive_command = lifeboat pg archive-push: the server's archiver hands segments over, a
 * background pusher stores them, and a restore from that WAL alone recovers every archived commit.
 */
class PgArchivePushTest {
    @TempDir
    Path tmp;

    /** The test classpath copied where the server's user can read it (the build may live under a private home). */
    private String readableClasspath() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("cp"));
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path src = Path.of(e);
            if (Files.isDirectory(src)) {
                Path dest = root.resolve("dir" + i++);
                try (Stream<Path> s = Files.walk(src)) {
                    for (Path p : s.toList()) {
                        Path d = dest.resolve(src.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(d);
                        } else {
                            Files.copy(p, d, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
                entries.add(dest.toString());
            } else if (Files.isRegularFile(src)) {
                Path dest = root.resolve(i++ + "-" + src.getFileName());
                Files.copy(src, dest);
                entries.add(dest.toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    @Test
    void archivedWalAloneRestoresEveryArchivedCommit() throws Exception {
        PgExtension.openToServer(tmp);
        Path home = Files.createDirectories(tmp.resolve("lb"));
        Cli cli = Cli.create(home, "pw");
        cli.ok("init");
        String cp = readableClasspath();
        Path spool = home.resolve("spool");
        ServerUser.get().own(tmp.resolve("cp"));
        ServerUser.get().own(home);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // A launcher script, as users have: PostgreSQL cuts archive_command at 1024 bytes.
        Path launcher = home.resolve("lifeboat");
        Files.writeString(launcher, "#!/bin/sh\nexec " + java + " -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp " + cp
                + " dev.lifeboat.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        String command = "LIFEBOAT_PASSWORD_FILE=" + cli.passwordFile() + " " + launcher + " pg archive-push -r " + cli.repo()
                + " --spool " + spool + " --idle 5 %p";
        try (LocalCluster pg = LocalCluster.start(PgExtension.testOptions().withSetting("archive_mode", "on")
                .withSetting("archive_command", command))) {
            execute(pg.port(), "CREATE TABLE ev (id bigint PRIMARY KEY)");
            cli.ok("pg", "basebackup", "--db", url(pg));
            ServerUser.get().own(home);
            for (int i = 1; i <= 4; i++) {
                execute(pg.port(), "INSERT INTO ev VALUES (" + i + ")", "SELECT pg_switch_wal()");
            }
            long deadline = System.nanoTime() + 120_000_000_000L;
            long archived = 0;
            long failed = 0;
            String lastArchived = null;
            String lastWal;
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_walfile_name(pg_current_wal_lsn() - 1)")) {
                rs.next();
                lastWal = rs.getString(1);
            }
            while (System.nanoTime() < deadline) {
                try (Connection c = pg.connect("postgres"); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT archived_count, failed_count, last_archived_wal FROM pg_stat_archiver")) {
                    rs.next();
                    archived = rs.getLong(1);
                    failed = rs.getLong(2);
                    lastArchived = rs.getString(3);
                }
                if (lastWal.equals(lastArchived)) {
                    break;
                }
                Thread.sleep(100);
            }
            String pusherLog = Files.exists(spool.resolve("pusher.log")) ? Files.readString(spool.resolve("pusher.log")) : "";
            assertEquals(lastWal, lastArchived, "archived " + archived + ", failed " + failed + "; pusher log:\n" + pusherLog
                    + "\nserver log:\n" + pg.logTail(30));
            assertEquals(0, failed, pusherLog + pg.logTail(30));
        }
        Cli.Run check = cli.ok("pg", "wal-check");
        assertTrue(check.out().contains("timeline 1:"), check.out());
        Path data = tmp.resolve("restored");
        int port = restoreAndStart(cli, data, "--latest");
        try {
            assertEquals(range(1, 4), ids(port, "postgres", "ev"));
        } finally {
            stopServer(data);
        }
    }
}
