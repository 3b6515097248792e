package dev.lifeboat.cli;

import dev.lifeboat.util.Json;

import java.io.PrintStream;

/** Where commands print: results to stdout (text or JSON), messages and warnings to stderr. */
final class Out {
    private static final PrintStream OUT = System.out;
    private static final PrintStream ERR = System.err;

    private Out() {
    }

    static void line(String s) {
        OUT.println(s);
    }

    static void json(Object value) {
        OUT.println(Json.pretty(value));
    }

    static void info(GlobalOptions g, String s) {
        if (!g.quiet && !g.json) {
            ERR.println(s);
        }
    }

    static void warn(String s) {
        ERR.println("warning: " + s);
    }

    static boolean progressWanted(GlobalOptions g) {
        return !g.quiet && !g.json && System.console() != null && System.getenv("LIFEBOAT_NO_PROGRESS") == null;
    }
}
