package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.source.postgres.PgConn;
import dev.lifeboat.source.postgres.PgErrors;
import dev.lifeboat.source.postgres.PgException;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** What physical backup and WAL streaming need to know about a server before they start. */
record ServerFacts(String version, int major, long systemId, String walLevel, int segmentSize, int timeline) {

    static ServerFacts probe(PgConn conn) {
        try (Connection c = conn.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('server_version'), "
                     + "current_setting('server_version_num')::int / 10000, "
                     + "(SELECT system_identifier FROM pg_control_system()), current_setting('wal_level'), "
                     + "(SELECT setting::int FROM pg_settings WHERE name = 'wal_segment_size'), "
                     + "(SELECT timeline_id FROM pg_control_checkpoint())")) {
            rs.next();
            ServerFacts f = new ServerFacts(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getString(4), rs.getInt(5),
                    rs.getInt(6));
            if (f.major < 13) {
                throw new PgException("PostgreSQL " + f.version + " is too old for physical backups (13 or newer needed)");
            }
            return f;
        } catch (SQLException e) {
            throw new PgException("cannot query " + conn.describe() + ": " + PgErrors.oneLine(e), e);
        }
    }

    /** The first transaction id not yet assigned (64-bit). */
    static long nextXid(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Physical backups and WAL streaming need WAL that describes whole pages. */
    void requireReplicaWal(PgConn conn) {
        if ("minimal".equals(walLevel)) {
            throw new PgException("the server at " + conn.host() + ":" + conn.port() + " has wal_level=minimal; "
                    + "physical backups and WAL archiving need wal_level=replica (set it in postgresql.conf and restart)");
        }
    }

    String systemIdText() {
        return Long.toUnsignedString(systemId);
    }
}
