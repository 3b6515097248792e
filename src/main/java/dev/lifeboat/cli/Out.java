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
