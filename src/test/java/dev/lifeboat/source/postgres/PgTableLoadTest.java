package dev.lifeboat.source.postgres;

import dev.lifeboat.source.postgres.cluster.LocalCluster;
import dev.lifeboat.testing.Cli;
import dev.lifeboat.testing.PgExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

import static dev.lifeboat.source.postgres.PgLogicalBackupTest.assertSameDatabase;
import static dev.lifeboat.source.postgres.PgLogicalBackupTest.count;
import static dev.lifeboat.source.postgres.PgLogicalBackupTest.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a logical restore loads table data: split between connections on row boundaries, frozen, in the dump's encoding. */
@ExtendWith(PgExtension.class)
class PgTableLoadTest {
    @TempDir
    Path tmp;

    @AfterEach
    void splitAsUsual() {
        System.clearProperty("lifeboat.pg.split-min");
    }

    private Cli cli;

    /** A database with the wide table, backed up into a repository of small chunks; returns its name. */
    private String backedUp(LocalCluster pg, String prefix) throws Exception {
        String src = PgExtension.createDatabase(pg, prefix);
        wideTable(pg, src);
        cli = smallChunks();
        cli.ok("pg", "backup", "--db", pg.connectionUri(src));
        return src;
    }

    /** Small chunks, so that a table of a few MiB has a hundred blobs to split between. */
    private Cli smallChunks() throws Exception {
        Cli repo = Cli.create(tmp, "pw");
        repo.ok("init", "--chunker-min", "16K", "--chunker-avg", "32K", "--chunker-max", "64K");
        return repo;
    }

    /** Rows whose values hold what COPY escapes (newlines, tabs, backslashes), NULLs, and long rows that span chunks. */
    private static void wideTable(LocalCluster pg, String db) throws Exception {
        sql(pg, db, "CREATE TABLE wide (id int PRIMARY KEY, note text, payload text)",
                "INSERT INTO wide SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'line ' || g || E'\\nnext\\tcol\\\\ é' END, "
                        + "repeat(md5(g::text), CASE WHEN g % 1000 = 0 THEN 3000 ELSE 1 + g % 5 END) FROM generate_series(1, 40000) g",
                "CREATE TABLE small (k text PRIMARY KEY)",
                "INSERT INTO small SELECT 'k' || g FROM generate_series(1, 100) g");
    }

    @Test
    void aLargeTableIsLoadedBySeveralConnectionsAndComesBackIdentical(LocalCluster pg) throws Exception {
        String src = backedUp(pg, "split");

        System.setProperty("lifeboat.pg.split-min", "65536");
        String dst = "split_restored_" + System.nanoTime();
        cli.ok("pg", "restore", "latest", "--db", pg.connectionUri(dst), "--jobs", "3");
        assertSameDatabase(pg, src, dst);
        // Each part of the table went in by a transaction of its own.
        assertTrue(count(pg, dst, "SELECT count(DISTINCT xmin::text) FROM wide") > 1, "the table was not split");
        assertEquals(1, count(pg, dst, "SELECT count(DISTINCT xmin::text) FROM small"));
        // ANALYZEd, though their connections went on to split `wide` first (small) or were the last (wide)
        assertEquals(3, count(pg, dst, "SELECT count(*) FROM pg_stats WHERE tablename = 'wide'"), "wide has no statistics");
        assertEquals(1, count(pg, dst, "SELECT count(*) FROM pg_stats WHERE tablename = 'small'"), "small has no statistics");
    }

    @Test
    void aTableTheRestoreCreatesIsLoadedFrozenAndAnalyzed(LocalCluster pg) throws Exception {
        String src = backedUp(pg, "frozen");

        String dst = "frozen_restored_" + System.nanoTime();
        cli.ok("pg", "restore", "latest", "--db", pg.connectionUri(dst), "--jobs", "1");
        assertSameDatabase(pg, src, dst);
        sql(pg, dst, "CREATE EXTENSION pg_visibility");
        long pages = count(pg, dst, "SELECT pg_relation_size('wide') / current_setting('block_size')::int");
        assertTrue(pages > 100, "pages: " + pages);
        assertEquals(pages, count(pg, dst, "SELECT all_frozen FROM pg_visibility_map_summary('wide')"));
        assertTrue(count(pg, dst, "SELECT count(*) FROM pg_stats WHERE tablename = 'wide'") >= 3, "wide has no statistics");
        // the last table loaded, ANALYZEd while the indexes were built
        assertEquals(1, count(pg, dst, "SELECT count(*) FROM pg_stats WHERE tablename = 'small'"), "small has no statistics");
    }

    @Test
    void aLatin1DatabaseComesBackInItsEncoding(LocalCluster pg) throws Exception {
        String src = "latin1_" + System.nanoTime();
        sql(pg, "postgres", "CREATE DATABASE " + src + " ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
        sql(pg, src, "CREATE TABLE words (w text)", "INSERT INTO words VALUES ('café'), ('naïve'), ('Ærø'), (E'tab\\there')");
        cli = smallChunks();
        cli.ok("pg", "backup", "--db", pg.connectionUri(src));

        String dst = "latin1_restored_" + System.nanoTime();
        cli.ok("pg", "restore", "latest", "--db", pg.connectionUri(dst));
        try (Connection c = pg.connect(dst); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()")) {
            rs.next();
            assertEquals("LATIN1", rs.getString(1));
        }
        assertEquals(1, count(pg, dst, "SELECT count(*) FROM words WHERE w = 'café'"));
        assertSameDatabase(pg, src, dst);
    }

    @Test
    void schemaFiltersChooseWhichTablesComeBackWithTheirRows(LocalCluster pg) throws Exception {
        String src = PgExtension.createDatabase(pg, "schemas");
        sql(pg, src, "CREATE SCHEMA app", "CREATE SCHEMA platform",
                "CREATE TABLE app.orders (id int PRIMARY KEY, total numeric)",
                "INSERT INTO app.orders SELECT g, g * 1.5 FROM generate_series(1, 500) g",
                "CREATE TABLE platform.audit (id bigserial PRIMARY KEY, what text)",
                "INSERT INTO platform.audit (what) SELECT 'event ' || g FROM generate_series(1, 300) g");
        cli = smallChunks();
        cli.ok("pg", "backup", "--db", pg.connectionUri(src));

        // Without the schema the hosting platform manages.
        String without = "schemas_without_" + System.nanoTime();
        cli.ok("pg", "restore", "latest", "--db", pg.connectionUri(without), "--exclude-schema", "platform");
        assertEquals(500, count(pg, without, "SELECT count(*) FROM app.orders"));
        assertEquals(0, count(pg, without, "SELECT count(*) FROM pg_namespace WHERE nspname = 'platform'"));
        // Into a database where the platform's schema is already there, with its tables: the rest goes in beside it.
        String platform = PgExtension.createDatabase(pg, "platform");
        sql(pg, platform, "CREATE SCHEMA platform", "CREATE TABLE platform.users (id int)");
        cli.ok("pg", "restore", "latest", "--db", pg.connectionUri(platform), "--exclude-schema", "platform");
        assertEquals(500, count(pg, platform, "SELECT count(*) FROM app.orders"));
        assertEquals(1, count(pg, platform, "SELECT count(*) FROM pg_class WHERE relname = 'users'"));

        // Only that schema: its table, rows and sequence, nothing of the other.
        String only = "schemas_only_" + System.nanoTime();
        cli.ok("pg", "restore", "latest", "--db", pg.connectionUri(only), "--schema", "platform");
        assertEquals(300, count(pg, only, "SELECT count(*) FROM platform.audit"));
        assertEquals(301, count(pg, only, "SELECT nextval('platform.audit_id_seq')"));
        assertEquals(0, count(pg, only, "SELECT count(*) FROM pg_class WHERE relname = 'orders'"));
    }

    @Test
    void aDamagedBlobStopsTheRestoreWithOneLineSayingWhatWasLoaded(LocalCluster pg) throws Exception {
        String src = backedUp(pg, "damaged");
        Path pack;
        try (Stream<Path> files = Files.walk(tmp.resolve("repo").resolve("data"))) {
            pack = files.filter(Files::isRegularFile).max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(pack);
        bytes[bytes.length / 3] ^= 0x40; // packs end with their header: a third of the way in is a blob of the large table
        Files.write(pack, bytes);

        System.setProperty("lifeboat.pg.split-min", "65536");
        String dst = "damaged_restored_" + System.nanoTime();
        Cli.Run r = cli.run("pg", "restore", "-q", "latest", "--db", pg.connectionUri(dst), "--jobs", "2");
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains("cannot read the snapshot") && r.err().contains("does not authenticate")
                && r.err().contains("tables was loaded"), r.err());
    }
}
