package dev.lifeboat.source.postgres;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.lifeboat.repository.RepositoryException;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.util.Json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a PostgreSQL snapshot records beside the dump itself, for restorers and verifiers:
 * stored in the snapshot's {@code meta} under {@value #KEY}.
 *
 * @param server        host:port the dump was taken from
 * @param serverDatabases every database on the server at backup time, dumped or not
 * @param globals       tree path of the roles/tablespaces script, null unless --all
 * @param options       the pg_dump selection options used (schema-only, tables...)
 */
public record DumpInfo(String serverVersion, int serverMajor, String pgDumpVersion, String server, String user,
                       List<String> serverDatabases, String globals, boolean rolePasswords, List<String> options,
                       List<DatabaseDump> databases) {

    public static final String KEY = "postgres";
    public static final String KIND = "postgres";

    /** One dumped database: its directory in the snapshot holds a pg_dump directory-format dump. */
    public record DatabaseDump(String name, String dir, String encoding, String collate, String ctype,
                               long sizeBytes, List<TableDump> tables, List<String> notValidConstraints) {
    }

    /** One table's data: the dump file holding it, its exact row count in the dump's snapshot and its size on disk. */
    public record TableDump(String schema, String name, String file, long rows, long bytes) {
        public String qualified() {
            return schema + "." + name;
        }
    }

    public Map<String, Object> toMeta() {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put(KEY, Json.MAPPER.convertValue(this, new TypeReference<Map<String, Object>>() { }));
        return meta;
    }

    public static DumpInfo of(SnapshotRef ref) throws RepositoryException {
        Snapshot s = ref.snapshot();
        if (!KIND.equals(s.kind()) || s.meta() == null || s.meta().get(KEY) == null) {
            throw new RepositoryException("snapshot " + ref.shortId() + " is a " + s.kind()
                    + " snapshot, not a PostgreSQL backup (see 'lifeboat snapshots')");
        }
        return Json.MAPPER.convertValue(s.meta().get(KEY), DumpInfo.class);
    }

    /**
     * A snapshot by id prefix; "latest" means the newest PostgreSQL snapshot (not the newest of any
     * kind) and, when {@code database} is given, the newest one holding that database.
     */
    public static SnapshotRef find(dev.lifeboat.repository.Repository repo, String spec, String database)
            throws java.io.IOException {
        if (!"latest".equals(spec)) {
            return dev.lifeboat.repository.Snapshots.find(repo, spec);
        }
        SnapshotRef newest = null;
        for (SnapshotRef r : dev.lifeboat.repository.Snapshots.all(repo)) {
            if (KIND.equals(r.snapshot().kind()) && (newest == null || r.snapshot().time().isAfter(newest.snapshot().time()))
                    && (database == null || of(r).databases().stream().anyMatch(d -> d.name().equals(database)))) {
                newest = r;
            }
        }
        if (newest == null) {
            throw new RepositoryException(database == null
                    ? "the repository has no PostgreSQL snapshot yet (run 'lifeboat pg backup')"
                    : "no PostgreSQL snapshot holds a database named " + database);
        }
        return newest;
    }

    /** The database to restore: the only one, or the one named (required when the snapshot holds several). */
    public DatabaseDump database(String name) {
        if (name == null) {
            if (databases.size() == 1) {
                return databases.get(0);
            }
            throw new IllegalArgumentException("this snapshot holds " + databases.size() + " databases ("
                    + String.join(", ", databases.stream().map(DatabaseDump::name).toList()) + "); choose one with --source-db");
        }
        return databases.stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("database \"" + name + "\" is not in this snapshot (it holds: "
                        + String.join(", ", databases.stream().map(DatabaseDump::name).toList()) + ")"));
    }
}
