package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.repository.Node;
import dev.lifeboat.source.postgres.PgConn;
import dev.lifeboat.source.postgres.PgException;
import dev.lifeboat.source.postgres.PgTool;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads pg_basebackup's tar stream (with the WAL that makes the copy consistent, {@code -X fetch}):
 * works against any server reachable over the replication protocol, local or not.
 */
final class TarCapture {
    private static final Pattern START = Pattern.compile("write-ahead log start point: ([0-9A-F]+/[0-9A-F]+) on timeline (\\d+)");
    private static final Pattern END = Pattern.compile("write-ahead log end point: ([0-9A-F]+/[0-9A-F]+)");

    private TarCapture() {
    }

    static Capture run(PgConn conn, Path pgBasebackup, String label, BlockStore store) throws IOException {
        String[] startPoint = new String[2];
        String[] endPoint = new String[1];
        List<String> args = List.of("-d", conn.conninfo(), "-D", "-", "-F", "t", "-X", "fetch", "-c", "fast",
                "-v", "--no-manifest", "-l", label);
        PgTool pgb = PgTool.start(pgBasebackup, args, conn, ProcessBuilder.Redirect.from(new java.io.File("/dev/null")),
                ProcessBuilder.Redirect.PIPE, line -> {
                    Matcher m = START.matcher(line);
                    if (m.find()) {
                        startPoint[0] = m.group(1);
                        startPoint[1] = m.group(2);
                    }
                    Matcher e = END.matcher(line);
                    if (e.find()) {
                        endPoint[0] = e.group(1);
                    }
                });
        List<Capture.Entry> entries = new ArrayList<>();
        String backupLabel = null;
        try (InputStream raw = new BufferedInputStream(pgb.process().getInputStream(), 1 << 20)) {
            TarReader tar = new TarReader(raw);
            for (TarReader.Entry e; (e = tar.next()) != null; ) {
                String type = e.isDir() ? Node.DIR : e.isSymlink() ? Node.SYMLINK : Node.FILE;
                List<java.util.concurrent.Future<BlockStore.Stored>> parts = List.of();
                if (e.isFile()) {
                    if (e.name().equals("backup_label")) {
                        byte[] b = tar.content().readAllBytes();
                        backupLabel = new String(b, StandardCharsets.UTF_8);
                        parts = List.of(store.store(b));
                    } else {
                        parts = store.store(tar.content());
                    }
                }
                entries.add(new Capture.Entry(e.name(), type, e.mode() & 07777, e.uid(), e.gid(), empty(e.user()),
                        empty(e.group()), e.size(), e.mtimeSeconds() * 1_000_000_000L, e.isSymlink() ? e.linkTarget() : null,
                        parts, null));
            }
            raw.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            pgb.kill();
            pgb.waitFor();
            if (pgb.saidSomething() && pgb.error().contains("error")) {
                throw new PgException("pg_basebackup failed: " + pgb.error());
            }
            throw e;
        }
        if (pgb.waitFor() != 0) {
            throw new PgException("pg_basebackup failed: " + pgb.error());
        }
        if (backupLabel == null || startPoint[0] == null || endPoint[0] == null) {
            throw new PgException("pg_basebackup's output has no backup_label or WAL positions; the backup is not usable");
        }
        // taken once the backup is over: later than its start, so never too early (which would be wrong)
        long nextXid;
        try (java.sql.Connection c = conn.connect()) {
            nextXid = ServerFacts.nextXid(c);
        } catch (java.sql.SQLException e) {
            nextXid = 0;
        }
        return new Capture(entries, backupLabel, Lsn.parse(startPoint[0]), Integer.parseInt(startPoint[1]),
                Lsn.parse(endPoint[0]), "stream", 0, 0, nextXid);
    }

    private static String empty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
