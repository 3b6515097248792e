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

    /**
     * While the passphrase is stretched (Argon2id, about a fifth of a second), loads the PostgreSQL
     * driver, opens one connection and finds the installed PostgreSQL tools, so the real work
     * starts warm. Failures are ignored here: the real attempt reports them.
     */
    void warmUp(PgConn conn) {
        dev.lifeboat.util.Workers.startDaemon("pg-warm-up", () -> {
            try {
                int major;
                try (java.sql.Connection c = conn.withDatabase("postgres").connect()) {
                    major = c.getMetaData().getDatabaseMajorVersion();
                }
                dev.lifeboat.source.postgres.cluster.PgBinaries.forMajor(major, bin());
            } catch (RuntimeException | java.sql.SQLException ignored) {
                // reported by the real attempt
            }
        });
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
