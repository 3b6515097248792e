package dev.lifeboat.source.postgres;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of {@code pg_restore --list}: "dumpId; tableoid oid DESC schema tag owner". The
 * description is matched against the known multi-word kinds, because schema, tag and owner are
 * printed unquoted and may themselves contain spaces.
 */
record TocLine(int dumpId, long tableOid, long oid, String desc, String rest, String line) {
    private static final Pattern LINE = Pattern.compile("^(\\d+); (\\d+) (\\d+) (.*)$");
    private static final List<String> MULTI_WORD = List.of("TABLE DATA", "SEQUENCE SET", "SEQUENCE OWNED BY",
            "FK CONSTRAINT", "MATERIALIZED VIEW DATA", "MATERIALIZED VIEW", "BLOB METADATA", "LARGE OBJECT",
            "DEFAULT ACL", "TEXT SEARCH CONFIGURATION", "TEXT SEARCH DICTIONARY", "TEXT SEARCH PARSER",
            "TEXT SEARCH TEMPLATE", "FOREIGN TABLE", "FOREIGN DATA WRAPPER", "USER MAPPING", "EVENT TRIGGER",
            "OPERATOR CLASS", "OPERATOR FAMILY", "ACCESS METHOD", "PUBLICATION TABLE", "PUBLICATION TABLES IN SCHEMA",
            "ATTACH PARTITION", "INDEX ATTACH", "CHECK CONSTRAINT", "STATISTICS DATA", "SHELL TYPE", "POLICY");

    /** The table of contents of the dump in {@code dir}, read with {@code pg_restore --list}. */
    static java.util.List<TocLine> list(java.nio.file.Path pgRestore, java.nio.file.Path dir) {
        return list(pgRestore, dir, List.of());
    }

    /** The entries that pg_restore with {@code filters} (--schema, --section...) would restore. */
    static java.util.List<TocLine> list(java.nio.file.Path pgRestore, java.nio.file.Path dir, List<String> filters) {
        List<String> args = new java.util.ArrayList<>(filters);
        args.add("--list");
        args.add(dir.toString());
        PgTool tool = PgTool.start(pgRestore, args, null,
                ProcessBuilder.Redirect.from(new java.io.File("/dev/null")), ProcessBuilder.Redirect.PIPE, null);
        java.util.List<TocLine> out = new java.util.ArrayList<>();
        try (java.io.InputStream in = tool.process().getInputStream()) {
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                TocLine t = parse(line);
                if (t != null) {
                    out.add(t);
                }
            }
        } catch (java.io.IOException e) {
            throw new PgException("cannot read the dump's table of contents: " + e.getMessage(), e);
        }
        tool.check();
        return out;
    }

    static TocLine parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return null;
        }
        String tail = m.group(4);
        String desc = null;
        for (String d : MULTI_WORD) {
            if (tail.startsWith(d + " ") && (desc == null || d.length() > desc.length())) {
                desc = d;
            }
        }
        if (desc == null) {
            int sp = tail.indexOf(' ');
            desc = sp < 0 ? tail : tail.substring(0, sp);
        }
        String rest = tail.length() > desc.length() ? tail.substring(desc.length() + 1) : "";
        return new TocLine(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                desc, rest, line);
    }
}
