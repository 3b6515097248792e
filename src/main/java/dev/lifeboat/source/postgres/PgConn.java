package dev.lifeboat.source.postgres;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Where and how to connect to one database: parsed from a {@code postgresql://} URI or a libpq
 * {@code key=value} string. The password comes from the URI, a file, {@code PGPASSWORD} or
 * {@code ~/.pgpass}, and is handed to child tools through {@code PGPASSWORD}, never on a command line.
 */
public final class PgConn {
    private final String host;
    private final int port;
    private final String user;
    private final String dbname;
    private final String password;
    private final Map<String, String> params;

    private PgConn(String host, int port, String user, String dbname, String password, Map<String, String> params) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.dbname = dbname;
        this.password = password;
        this.params = Map.copyOf(params);
    }

    /** Parses a URI or key=value string; {@code passwordFile} (may be null) wins over the environment. */
    public static PgConn parse(String spec, Path passwordFile) {
        Map<String, String> kv = spec.startsWith("postgresql://") || spec.startsWith("postgres://")
                ? parseUri(spec) : parseKeyValue(spec);
        String host = kv.remove("host");
        String port = kv.remove("port");
        String user = kv.remove("user");
        String db = kv.remove("dbname");
        String pw = kv.remove("password");
        if (host == null || host.isEmpty()) {
            host = env("PGHOST", "localhost");
        }
        if (host.startsWith("/")) {
            throw new IllegalArgumentException("connecting through a Unix socket (" + host + ") is not supported; give host=127.0.0.1 or a host name");
        }
        int p;
        try {
            p = Integer.parseInt(port == null || port.isEmpty() ? env("PGPORT", "5432") : port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid port \"" + port + "\" in --db");
        }
        if (user == null || user.isEmpty()) {
            user = env("PGUSER", System.getProperty("user.name"));
        }
        if (db == null || db.isEmpty()) {
            db = env("PGDATABASE", user);
        }
        if (passwordFile != null) {
            try {
                pw = Files.readString(passwordFile).lines().findFirst().orElse("");
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read database password file " + passwordFile + ": " + e.getMessage());
            }
        }
        if (pw == null) {
            pw = System.getenv("PGPASSWORD");
        }
        if (pw == null) {
            pw = PgPass.lookup(host, p, db, user);
        }
        return new PgConn(host, p, user, db, pw, kv);
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    private static Map<String, String> parseUri(String spec) {
        Map<String, String> kv = new LinkedHashMap<>();
        String rest = spec.substring(spec.indexOf("://") + 3);
        int q = rest.indexOf('?');
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    kv.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
                }
            }
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            kv.putIfAbsent("dbname", decode(rest.substring(slash + 1)));
            rest = rest.substring(0, slash);
        }
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String cred = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = cred.indexOf(':');
            kv.putIfAbsent("user", decode(colon >= 0 ? cred.substring(0, colon) : cred));
            if (colon >= 0) {
                kv.putIfAbsent("password", decode(cred.substring(colon + 1)));
            }
        }
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            kv.putIfAbsent("host", rest.substring(1, close));
            rest = rest.substring(close + 1);
            if (rest.startsWith(":")) {
                kv.putIfAbsent("port", rest.substring(1));
            }
        } else if (!rest.isEmpty()) {
            int colon = rest.indexOf(':');
            kv.putIfAbsent("host", decode(colon >= 0 ? rest.substring(0, colon) : rest));
            if (colon >= 0) {
                kv.putIfAbsent("port", rest.substring(colon + 1));
            }
        }
        return kv;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static Map<String, String> parseKeyValue(String spec) {
        Map<String, String> kv = new LinkedHashMap<>();
        int i = 0;
        int n = spec.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(spec.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int eq = spec.indexOf('=', i);
            if (eq < 0) {
                throw new IllegalArgumentException("invalid connection string: expected key=value or postgresql://user@host:port/dbname");
            }
            String key = spec.substring(i, eq).strip();
            i = eq + 1;
            while (i < n && Character.isWhitespace(spec.charAt(i))) {
                i++;
            }
            StringBuilder v = new StringBuilder();
            if (i < n && spec.charAt(i) == '\'') {
                i++;
                while (i < n && spec.charAt(i) != '\'') {
                    if (spec.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    v.append(spec.charAt(i++));
                }
                i++;
            } else {
                while (i < n && !Character.isWhitespace(spec.charAt(i))) {
                    if (spec.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    v.append(spec.charAt(i++));
                }
            }
            kv.put(key, v.toString());
        }
        return kv;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public String dbname() {
        return dbname;
    }

    public boolean hasPassword() {
        return password != null;
    }

    /** The same server and credentials, another database. */
    public PgConn withDatabase(String db) {
        return new PgConn(host, port, user, db, password, params);
    }

    /** user@host:port/db — for messages; never includes the password. */
    public String describe() {
        return user + "@" + host + ":" + port + "/" + dbname;
    }

    @Override
    public String toString() {
        return describe();
    }

    public Connection connect() {
        return connect(Map.of());
    }

    /** A connection with extra pgjdbc properties, e.g. replication=true for WAL streaming. */
    public Connection connect(Map<String, String> extra) {
        Properties props = new Properties();
        props.putAll(extra);
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("ApplicationName", "lifeboat");
        props.setProperty("connectTimeout", "15");
        String ssl = params.get("sslmode");
        if (ssl != null) {
            props.setProperty("sslmode", ssl);
        }
        String url = "jdbc:postgresql://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/"
                + java.net.URLEncoder.encode(dbname, StandardCharsets.UTF_8).replace("+", "%20");
        try {
            return DriverManager.getConnection(url, props);
        } catch (SQLException e) {
            throw new PgException("cannot connect to " + describe() + ": " + PgErrors.oneLine(e), e);
        }
    }

    /** A libpq connection string for pg_dump, pg_restore and psql (without the password). */
    public String conninfo() {
        StringBuilder b = new StringBuilder();
        append(b, "host", host);
        append(b, "port", String.valueOf(port));
        append(b, "user", user);
        append(b, "dbname", dbname);
        append(b, "application_name", "lifeboat");
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (!e.getKey().equals("application_name")) {
                append(b, e.getKey(), e.getValue());
            }
        }
        return b.toString().strip();
    }

    private static void append(StringBuilder b, String key, String value) {
        b.append(key).append("='").append(value.replace("\\", "\\\\").replace("'", "\\'")).append("' ");
    }

    /** Sets the environment a libpq tool needs: the password, and no stray PG* variables overriding the conninfo. */
    public void applyTo(ProcessBuilder pb) {
        Map<String, String> env = pb.environment();
        for (String k : List.of("PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE", "PGOPTIONS")) {
            env.remove(k);
        }
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        env.putIfAbsent("PGCONNECT_TIMEOUT", "15");
    }
}
