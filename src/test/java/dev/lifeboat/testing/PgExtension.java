package dev.lifeboat.testing;

import dev.lifeboat.source.postgres.cluster.LocalCluster;
import dev.lifeboat.source.postgres.cluster.PgBinaries;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives PostgreSQL tests a running cluster cheaply: one cluster per test JVM, started on first
 * use and stopped by {@link LocalCluster}'s shutdown hook.
 *
 * <pre>
 * &#64;ExtendWith(PgExtension.class)
 * class RestoreTest {
 *     &#64;Test void restores(LocalCluster pg) throws Exception {
 *         String db = PgExtension.createDatabase(pg, "restore");
 *         try (Connection c = pg.connect(db)) { ... }
 *     }
 * }
 * </pre>
 *
 * Tests that change server settings, crash or stop the server must start their own cluster with
 * {@code LocalCluster.start(PgExtension.testOptions())} instead of touching the shared one.
 * Set {@code LIFEBOAT_TEST_PG_MAJOR} to test against a specific installed major.
 */
public final class PgExtension implements ParameterResolver {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static LocalCluster shared;

    /** Options for throwaway test clusters: fsync off, because durability across OS crashes is irrelevant here. */
    public static LocalCluster.Options testOptions() {
        return LocalCluster.Options.defaults().withBinaries(testBinaries()).withFsync(false);
    }

    public static PgBinaries testBinaries() {
        String major = System.getenv("LIFEBOAT_TEST_PG_MAJOR");
        return major == null || major.isBlank()
                ? PgBinaries.newest(Optional.empty())
                : PgBinaries.forMajor(Integer.parseInt(major.strip()), Optional.empty());
    }

    /** The cluster shared by all tests in this JVM. Don't stop, kill or reconfigure it. */
    public static synchronized LocalCluster shared() {
        if (shared == null) {
            shared = LocalCluster.start(testOptions());
        }
        return shared;
    }

    /** Creates an empty database with a unique name, so tests sharing the cluster don't see each other's tables. */
    /**
     * Lets the server's OS user (postgres, when the tests run as root) pass through {@code dir}, a
     * test's temporary directory, to reach the data directories and dumps made inside it.
     */
    public static void openToServer(java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    }

    public static String createDatabase(LocalCluster cluster, String prefix) throws SQLException {
        String name = prefix.toLowerCase().replaceAll("[^a-z0-9_]", "_") + "_" + DATABASES.incrementAndGet();
        try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return name;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return shared();
    }
}
