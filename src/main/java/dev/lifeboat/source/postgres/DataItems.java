package dev.lifeboat.source.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The data section of a dump as pg_restore would restore it: each table's COPY statement, the
 * session settings pg_restore makes first, and the other data entries (sequence values, large
 * objects). pg_restore itself reads the table of contents, so every archive version it knows is
 * understood: the table data files are replaced by one-line markers, and in the script that
 * pg_restore prints for them each COPY statement comes right before its marker.
 *
 * @param settings the SET statements pg_restore starts a session with, except client_encoding
 * @param encoding the dump's encoding, which the COPY data is in
 * @param tables   the table data entries, each with its COPY statement
 * @param other    the data section's other entries, as lines for {@code pg_restore --use-list}
 */
record DataItems(List<String> settings, String encoding, List<Table> tables, List<String> other) {
    private static final String MARKER = "lifeboat-copy-probe ";
    private static final Pattern ENCODING = Pattern.compile("^SET client_encoding = '([^']*)';$");

    /**
     * @param file    the data file in the dump
     * @param copy    pg_dump's COPY statement for it
     * @param created whether the restore creates the table (its TABLE entry is restored too), so it
     *                starts empty; the data of an extension's table does not, and must not be truncated
     */
    record Table(String file, String copy, boolean created) {
    }

    /** A connection to {@code db} set up as pg_restore sets up its sessions (with no lock or statement timeout). */
    java.sql.Connection connect(PgConn db) throws java.sql.SQLException {
        java.sql.Connection c = db.connect();
        try (java.sql.Statement st = c.createStatement()) {
            for (String setting : settings) {
                st.execute(setting);
            }
        } catch (java.sql.SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * Reads the dump in {@code dir}, which must hold its table of contents but no table data file
     * yet, for the entries {@code selected}, which the file {@code selection} lists for pg_restore.
     */
    static DataItems probe(Path pgRestore, Path dir, List<TocLine> selected, Path selection) throws IOException {
        String use = "--use-list=" + selection;
        Set<String> tablesCreated = new HashSet<>();
        for (TocLine t : selected) {
            if (t.desc().equals("TABLE")) {
                tablesCreated.add(t.rest());
            }
        }
        List<TocLine> tableData = new ArrayList<>();
        List<String> other = new ArrayList<>();
        for (TocLine t : TocLine.list(pgRestore, dir, List.of(use, "--section=data"))) {
            if (t.desc().equals("TABLE DATA")) {
                tableData.add(t);
            } else {
                other.add(t.line());
            }
        }
        if (tableData.isEmpty()) {
            return new DataItems(List.of(), "UTF8", List.of(), other);
        }
        Path list = dir.resolve("lifeboat-table-data.list");
        Files.writeString(list, String.join("\n", tableData.stream().map(TocLine::line).toList()) + "\n");
        for (TocLine t : tableData) {
            Files.writeString(dir.resolve(file(t)), MARKER + file(t) + "\n");
        }
        List<String> args = List.of("--file=-", "--use-list=" + list, dir.toString());
        PgTool tool = PgTool.start(pgRestore, args, null, ProcessBuilder.Redirect.from(new java.io.File("/dev/null")),
                ProcessBuilder.Redirect.PIPE, null);
        String script;
        try (InputStream in = tool.process().getInputStream()) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        tool.check();
        for (TocLine t : tableData) {
            Files.delete(dir.resolve(file(t)));
        }
        Files.delete(list);
        return parse(script, tableData, tablesCreated, other);
    }

    static DataItems parse(String script, List<TocLine> tableData, Set<String> tablesCreated, List<String> other) {
        List<String> settings = new ArrayList<>();
        String encoding = null;
        int firstMarker = script.indexOf(MARKER);
        for (String line : script.substring(0, firstMarker < 0 ? script.length() : firstMarker).split("\n")) {
            Matcher m = ENCODING.matcher(line);
            if (m.matches()) {
                encoding = m.group(1);
            } else if (line.startsWith("SET ") || line.startsWith("SELECT pg_catalog.set_config(")) {
                settings.add(line);
            }
        }
        if (encoding == null) {
            throw new PgException("cannot restore table data: pg_restore named no encoding for the dump");
        }
        List<Table> tables = new ArrayList<>();
        for (TocLine t : tableData) {
            int at = script.indexOf("\n" + MARKER + file(t) + "\n");
            // The statement follows the blank line that ends the entry's comment header.
            int from = at < 0 ? -1 : script.lastIndexOf("\n\n", at);
            String copy = from < 0 ? "" : script.substring(from + 2, at + 1);
            if (!copy.startsWith("COPY ") || !copy.endsWith(" FROM stdin;\n")) {
                throw new PgException("cannot restore the data of " + t.rest() + ": pg_restore printed no COPY statement for it");
            }
            tables.add(new Table(file(t), copy.strip(), tablesCreated.contains(t.rest())));
        }
        return new DataItems(settings, encoding, tables, other);
    }

    private static String file(TocLine t) {
        return t.dumpId() + ".dat";
    }
}
