package dev.lifeboat.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What must be equal between a PostgreSQL database and a faithful restore of it: the schema as
 * pg_dump prints it, and a content checksum per table, materialized view, sequence and large object.
 *
 * <pre>
 * assertEquals(PgFingerprint.schema(pgDump, sourceUri), PgFingerprint.schema(pgDump, restoredUri));
 * Map&lt;String, String&gt; expected = PgFingerprint.tableChecksums(source);
 * Map&lt;String, String&gt; actual = PgFingerprint.tableChecksums(restored);
 * assertEquals(expected, actual, () -&gt; PgFingerprint.diff(expected, actual));
 * </pre>
 *
 * Compare fingerprints taken with the same client settings (same JVM and driver): row text depends on
 * session settings such as TimeZone and DateStyle.
 */
public final class PgFingerprint {

    private PgFingerprint() {
    }

    /**
     * {@code pg_dump --schema-only} of the database, normalised so that a restore into a database with
     * another name prints the same text. Ownership and privileges stay in: a restore must keep them.
     * Without --create pg_dump names no database, so the database name only appears in comments
     * (dropped here) or in database-level objects (COMMENT ON DATABASE, ALTER DATABASE), which are not
     * dumped without --create; don't rely on those in fixtures.
     */
    public static String schema(Path pgDump, String connectionUri) {
        Path out = null;
        try {
            out = Files.createTempFile("pg-fingerprint-", ".sql");
            // Output to a file and only stderr through a pipe: reading one pipe cannot deadlock.
            Process p = new ProcessBuilder(pgDump.toString(), "--schema-only", "--no-password",
                    "--file=" + out, "--dbname=" + connectionUri).start();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = p.waitFor();
            if (exit != 0) {
                throw new IllegalStateException("pg_dump --schema-only of " + connectionUri + " failed with exit code "
                        + exit + ":\n" + err);
            }
            return normalise(Files.readAllLines(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + pgDump + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running pg_dump", e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a leftover temp file does not matter to the test
                }
            }
        }
    }

    static String normalise(List<String> dumpLines) {
        return dumpLines.stream()
                .filter(line -> !line.isBlank())
                .filter(line -> !line.startsWith("--"))           // "-- Dumped from ...", "-- Name: ..."
                .filter(line -> !line.startsWith("\\restrict"))   // random key per run (15.14+, 16.10+, 17.6+)
                .filter(line -> !line.startsWith("\\unrestrict"))
                .filter(line -> !line.startsWith("SET "))         // session settings of the dump, not schema
                .collect(Collectors.joining("\n", "", "\n"));
    }

    /**
     * A checksum of everything the schema dump leaves out, keyed by object:
     * <ul>
     * <li>{@code table s.t}: row count and an md5 over the sorted md5s of the rows' text, so physical
     *     row order does not matter but duplicate rows do. Covers ordinary tables and partitions (the
     *     leaves hold the rows; partitioned parents have none of their own).</li>
     * <li>{@code matview s.v}: whether it is populated, and if so its content like a table.</li>
     * <li>{@code sequence s.q}: last_value and is_called, which the schema dump leaves out.</li>
     * <li>{@code large object N}: owner, ACL, comment and md5 of the content; pg_dump before 17 only
     *     writes large object metadata with the data, so the schema dump does not cover it.</li>
     * </ul>
     */
    public static Map<String, String> tableChecksums(Connection c) throws SQLException {
        Map<String, String> result = new TreeMap<>();
        List<String[]> relations = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT c.relkind, format('%I.%I', n.nspname, c.relname), c.relispopulated
                     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.relkind IN ('r', 'm', 'S')
                       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                       AND n.nspname NOT LIKE 'pg\\_toast%'
                       AND n.nspname NOT LIKE 'pg\\_temp\\_%'
                     """)) {
            while (rs.next()) {
                relations.add(new String[] {rs.getString(1), rs.getString(2), String.valueOf(rs.getBoolean(3))});
            }
        }
        for (String[] r : relations) {
            String kind = r[0];
            String name = r[1];
            switch (kind) {
                case "r" -> result.put("table " + name, content(c, name));
                case "m" -> result.put("matview " + name,
                        Boolean.parseBoolean(r[2]) ? "populated " + content(c, name) : "not populated");
                case "S" -> result.put("sequence " + name, single(c,
                        "SELECT 'last_value=' || last_value || ' is_called=' || is_called FROM " + name));
                default -> throw new IllegalStateException("unexpected relkind " + kind);
            }
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT m.oid,
                            'owner=' || pg_get_userbyid(m.lomowner)
                            || ' acl=' || coalesce(m.lomacl::text, '-')
                            || ' comment=' || coalesce(quote_literal(obj_description(m.oid, 'pg_largeobject')), '-')
                            || ' bytes=' || length(lo_get(m.oid))
                            || ' md5=' || md5(lo_get(m.oid))
                     FROM pg_largeobject_metadata m
                     """)) {
            while (rs.next()) {
                result.put("large object " + rs.getLong(1), rs.getString(2));
            }
        }
        return result;
    }

    /** Row count and order-independent md5 of a table's or populated materialized view's rows. */
    private static String content(Connection c, String qualifiedName) throws SQLException {
        // (t.*) rather than bare t: a column named t would otherwise win over the whole-row reference.
        // COLLATE "C": the hashes sort the same whatever the database's collation.
        return single(c, "SELECT 'rows=' || count(*) || ' md5=' || md5(coalesce(string_agg(h, '' ORDER BY h COLLATE \"C\"), ''))"
                + " FROM (SELECT md5((t.*)::text) AS h FROM " + qualifiedName + " t) AS hashes");
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The entries that differ, one per line ("-" expected, "+" actual); empty if the maps are equal. */
    public static String diff(Map<String, String> expected, Map<String, String> actual) {
        StringBuilder sb = new StringBuilder();
        TreeSet<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (String key : keys) {
            String e = expected.get(key);
            String a = actual.get(key);
            if (!Objects.equals(e, a)) {
                sb.append(key).append('\n');
                sb.append("  - ").append(e == null ? "(missing)" : e).append('\n');
                sb.append("  + ").append(a == null ? "(missing)" : a).append('\n');
            }
        }
        return sb.toString();
    }
}
