package dev.lifeboat.source.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Properties of the connected database that a restore into a new database needs, read in the dump's snapshot. */
final class DatabaseProps {
    final String encoding;
    final String collate;
    final String ctype;
    final long size;
    final List<String> notValid;

    private DatabaseProps(String encoding, String collate, String ctype, long size, List<String> notValid) {
        this.encoding = encoding;
        this.collate = collate;
        this.ctype = ctype;
        this.size = size;
        this.notValid = notValid;
    }

    static DatabaseProps read(Connection c) throws SQLException {
        String encoding;
        String collate;
        String ctype;
        long size;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT pg_encoding_to_char(encoding), datcollate, datctype, pg_database_size(oid) "
                        + "FROM pg_database WHERE datname = current_database()")) {
            rs.next();
            encoding = rs.getString(1);
            collate = rs.getString(2);
            ctype = rs.getString(3);
            size = rs.getLong(4);
        }
        return new DatabaseProps(encoding, collate, ctype, size, notValidConstraints(c));
    }

    /** Constraints declared NOT VALID at the source: a restore may leave exactly these unvalidated. */
    static List<String> notValidConstraints(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT format('%I.%I', n.nspname, cl.relname) || ' ' || quote_ident(co.conname) FROM pg_constraint co "
                        + "JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace "
                        + "WHERE NOT co.convalidated ORDER BY 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
