package dev.lifeboat.source.postgres;

import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Turns driver exceptions into the one line a user needs. */
public final class PgErrors {
    private PgErrors() {
    }

    public static String oneLine(SQLException e) {
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            ServerErrorMessage m = p.getServerErrorMessage();
            return m.getMessage();
        }
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e.getCause() instanceof java.net.ConnectException || msg.contains("refused")) {
            return "connection refused (is the server running and accepting TCP connections on that host and port?)";
        }
        if (e.getCause() instanceof java.net.UnknownHostException u) {
            return "unknown host " + u.getMessage();
        }
        return msg.lines().findFirst().orElse(msg);
    }
}
