package dev.lifeboat.source.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads libpq's password file ({@code $PGPASSFILE} or {@code ~/.pgpass}) the way libpq does. */
final class PgPass {
    private PgPass() {
    }

    static String lookup(String host, int port, String db, String user) {
        String env = System.getenv("PGPASSFILE");
        Path file = env != null && !env.isEmpty() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".pgpass");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                List<String> f = fields(line);
                if (f.size() == 5 && matches(f.get(0), host) && matches(f.get(1), String.valueOf(port))
                        && matches(f.get(2), db) && matches(f.get(3), user)) {
                    return f.get(4);
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static boolean matches(String pattern, String value) {
        return pattern.equals("*") || pattern.equals(value)
                || (pattern.equals("localhost") && (value.equals("127.0.0.1") || value.equals("::1")));
    }

    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
            } else if (c == ':' && out.size() < 4) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
