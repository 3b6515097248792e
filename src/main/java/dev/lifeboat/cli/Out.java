package dev.lifeboat.cli;

import dev.lifeboat.util.Json;

/** Where commands print: results to stdout (text or JSON), messages and warnings to stderr. */
final class Out {
    private Out() {
    }

    static void line(String s) {
        System.out.println(s);
    }

    static void json(Object value) {
        System.out.println(Json.pretty(value));
    }

    /**
     * What every backup prints with --json: the snapshot saved, its summary and, when given, what
     * the source records about itself under {@code key}.
     */
    static void snapshotJson(dev.lifeboat.repository.BlobId id, dev.lifeboat.repository.Snapshot.Summary summary,
                             String key, Object sourceInfo) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("snapshot", id.hex());
        m.put("short_id", id.shortHex());
        m.put("summary", summary);
        if (key != null) {
            m.put(key, sourceInfo);
        }
        json(m);
    }

    static void info(GlobalOptions g, String s) {
        if (!g.quiet && !g.json) {
            System.err.println(s);
        }
    }

    static void warn(String s) {
        System.err.println("warning: " + s);
    }

    static boolean progressWanted(GlobalOptions g) {
        return !g.quiet && !g.json && System.console() != null && System.getenv("LIFEBOAT_NO_PROGRESS") == null;
    }
}
