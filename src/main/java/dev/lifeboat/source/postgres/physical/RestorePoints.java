package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.repository.Repository;
import dev.lifeboat.source.postgres.PgConn;
import dev.lifeboat.source.postgres.PgErrors;
import dev.lifeboat.source.postgres.PgException;
import dev.lifeboat.storage.ObjectInfo;
import dev.lifeboat.util.Json;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Named restore points: created on the server (pg_create_restore_point) and recorded in the
 * repository with their WAL position, so a restore to a name can pick the base backup before it.
 */
public final class RestorePoints {
    public static final String DIR = "restorepoints/";

    public record Point(String name, String lsn, Instant time, int timeline, String systemId) {
    }

    private RestorePoints() {
    }

    public static Point create(Repository repo, PgConn conn, String name) throws IOException {
        if (name.isEmpty() || name.length() > 63) {
            throw new IllegalArgumentException("a restore point name must have 1 to 63 characters");
        }
        ServerFacts facts = ServerFacts.probe(conn);
        facts.requireReplicaWal(conn);
        try (Connection c = conn.connect();
             PreparedStatement ps = c.prepareStatement("SELECT pg_create_restore_point(?)::text, now(), "
                     + "(SELECT timeline_id FROM pg_control_checkpoint())")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Point p = new Point(name, rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getInt(3), facts.systemIdText());
                repo.saveObject(DIR, Json.MAPPER.writeValueAsBytes(p));
                return p;
            }
        } catch (SQLException e) {
            throw new PgException("cannot create restore point on " + conn.describe() + ": " + PgErrors.oneLine(e), e);
        }
    }

    public static List<Point> all(Repository repo) throws IOException {
        List<Point> out = new ArrayList<>();
        for (ObjectInfo o : repo.list(DIR)) {
            out.add(Json.MAPPER.readValue(repo.loadObject(o.name()), Point.class));
        }
        out.sort(Comparator.comparing(Point::time));
        return out;
    }

    /** The newest point with this name (names may repeat, as PostgreSQL allows). */
    public static Optional<Point> find(Repository repo, String name, String systemId) throws IOException {
        Point best = null;
        for (Point p : all(repo)) {
            if (p.name().equals(name) && (systemId == null || systemId.equals(p.systemId()))) {
                best = p;
            }
        }
        return Optional.ofNullable(best);
    }
}
