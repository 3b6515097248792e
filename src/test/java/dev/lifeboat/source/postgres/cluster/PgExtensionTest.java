package dev.lifeboat.source.postgres.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.lifeboat.testing.PgExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The shared test cluster helper other PostgreSQL tests rely on. */
@ExtendWith(PgExtension.class)
class PgExtensionTest {

    @Test
    void injectsOneSharedRunningCluster(LocalCluster pg) {
        assertSame(PgExtension.shared(), pg);
        assertEquals(true, pg.running());
    }

    @Test
    void createsSeparateDatabases(LocalCluster pg) throws Exception {
        String a = PgExtension.createDatabase(pg, "Ext-Test");
        String b = PgExtension.createDatabase(pg, "Ext-Test");
        assertNotEquals(a, b);
        try (Connection c = pg.connect(a); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT current_database()")) {
            r.next();
            assertEquals(a, r.getString(1));
        }
    }
}
