package dev.lifeboat.cli;

import dev.lifeboat.source.postgres.PgConn;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/** Options every {@code pg} command shares: how to reach PostgreSQL and where its tools and scratch space are. */
public final class PgOptions {
    @Option(names = "--pg-password-file", paramLabel = "FILE",
            description = "Read the database password from FILE (default: the URL, $PGPASSWORD, else ~/.pgpass).")
    Path passwordFile;

    @Option(names = "--pg-bin", paramLabel = "DIR",
            description = "PostgreSQL bin directory to search first (default: $LIFEBOAT_PG_BIN, the usual install locations, PATH).")
    Path pgBin;

    @Option(names = "--temp-dir", paramLabel = "DIR",
            description = "Scratch space for files in flight (default: $TMPDIR or /tmp).")
    Path tempDir;

    PgConn conn(String spec) {
        return PgConn.parse(spec, passwordFile);
    }

    Optional<Path> bin() {
        return Optional.ofNullable(pgBin);
    }

    Path tmp() {
        if (tempDir != null) {
            return tempDir;
        }
        String env = System.getenv("TMPDIR");
        return Path.of(env != null && !env.isEmpty() ? env : System.getProperty("java.io.tmpdir"));
    }
}
