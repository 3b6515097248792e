package dev.lifeboat.source.postgres.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The OS user that PostgreSQL server binaries run as.
 *
 * <p>initdb, pg_ctl and postgres refuse to run as root, and CI runs as root. So when we are root,
 * every server binary runs as the {@code postgres} user that distribution packages create (or a
 * {@code lifeboat-pg} system user we create), and whatever the server must write is chowned to
 * it. Otherwise binaries run directly as the current user.
 */
public final class ServerUser {

    static final String FALLBACK_USER = "lifeboat-pg";
    private static final Duration QUICK = Duration.ofSeconds(30);
    private static volatile ServerUser current;

    private final String name;
    private final int uid;
    private final int gid;
    private final boolean switched;
    private final List<String> prefix;

    private ServerUser(String name, int uid, int gid, boolean switched, List<String> prefix) {
        this.name = name;
        this.uid = uid;
        this.gid = gid;
        this.switched = switched;
        this.prefix = prefix;
    }

    /** Resolved once per JVM; creating the fallback user is a one-time side effect. */
    public static ServerUser get() {
        ServerUser u = current;
        if (u == null) {
            synchronized (ServerUser.class) {
                if (current == null) {
                    current = resolve();
                }
                u = current;
            }
        }
        return u;
    }

    public String name() {
        return name;
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    /** True when we are root and server binaries run as another user. */
    public boolean switched() {
        return switched;
    }

    /** The command line that runs {@code command} as this user. */
    public List<String> command(List<String> command) {
        List<String> full = new ArrayList<>(prefix);
        full.addAll(command);
        return full;
    }

    /** Hands a file or directory tree to this user, so the server can write it. No-op unless switched. */
    public void own(Path path) {
        if (switched) {
            Exec.check(List.of("chown", "-R", uid + ":" + gid, path.toString()), null, Duration.ofMinutes(10));
        }
    }

    /**
     * Fails clearly when this user cannot reach {@code dir}: a server started under a 0700
     * directory such as /root fails with a confusing "permission denied" deep in its log.
     */
    public void checkReachable(Path dir) {
        if (!switched) {
            return;
        }
        Path p = dir.toAbsolutePath().normalize();
        for (Path cur = p.getParent(); cur != null; cur = cur.getParent()) {
            if (!traversable(cur)) {
                throw new ClusterException(name + " (uid " + uid + ") cannot reach " + p + " because "
                        + cur + " is not traversable by it; use a directory outside " + cur);
            }
        }
    }

    boolean traversable(Path dir) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
            if (perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return true;
            }
            int owner = (Integer) Files.getAttribute(dir, "unix:uid");
            int group = (Integer) Files.getAttribute(dir, "unix:gid");
            return owner == uid && perms.contains(PosixFilePermission.OWNER_EXECUTE)
                    || group == gid && perms.contains(PosixFilePermission.GROUP_EXECUTE);
        } catch (IOException | UnsupportedOperationException e) {
            return true; // can't tell; let the server report the problem itself
        }
    }

    private static ServerUser resolve() {
        if (!isRoot()) {
            return new ServerUser(System.getProperty("user.name"), -1, -1, false, List.of());
        }
        Optional<int[]> ids = lookupIds("postgres");
        String user = "postgres";
        if (ids.isEmpty()) {
            user = ensureFallbackUser();
            ids = lookupIds(user);
        }
        int[] uidGid = ids.orElseThrow(() -> new ClusterException("cannot read the uid and gid of user " + FALLBACK_USER));
        return new ServerUser(user, uidGid[0], uidGid[1], true, switchCommand(user, uidGid[0], uidGid[1]));
    }

    private static List<String> switchCommand(String user, int uid, int gid) {
        // runuser sets HOME/USER for the target user; setpriv is the fallback on minimal images.
        Optional<Path> runuser = find("runuser");
        if (runuser.isPresent()) {
            return List.of(runuser.get().toString(), "-u", user, "--");
        }
        Optional<Path> setpriv = find("setpriv");
        if (setpriv.isPresent()) {
            return List.of(setpriv.get().toString(), "--reuid=" + uid, "--regid=" + gid, "--init-groups", "--");
        }
        throw new ClusterException("running as root, but neither runuser nor setpriv is available to run "
                + "PostgreSQL as user " + user + "; install util-linux or run as a non-root user");
    }

    private static String ensureFallbackUser() {
        if (lookupId(FALLBACK_USER).isEmpty()) {
            String useradd = find("useradd").map(Path::toString).orElse("useradd");
            Exec.Result r = Exec.run(List.of(useradd, "--system", "--no-create-home", "--user-group",
                    FALLBACK_USER), null, QUICK);
            // a concurrent JVM may have created it between our check and useradd
            if (!r.ok() && lookupId(FALLBACK_USER).isEmpty()) {
                throw new ClusterException("running as root and there is no postgres user; creating system user "
                        + FALLBACK_USER + " failed: " + r.output());
            }
        }
        return FALLBACK_USER;
    }

    private static boolean isRoot() {
        if ("root".equals(System.getProperty("user.name"))) {
            return true;
        }
        try {
            return "0".equals(Exec.run(List.of("id", "-u"), null, QUICK).output());
        } catch (ClusterException e) {
            return false;
        }
    }

    private static Optional<Integer> lookupId(String user) {
        return lookupIds(user).map(ids -> ids[0]);
    }

    private static final java.util.regex.Pattern IDS = java.util.regex.Pattern.compile("^uid=(\\d+)\\S* gid=(\\d+)");

    /** The user's uid and primary gid, from one run of id(1) ("uid=101(postgres) gid=104(postgres) ..."). */
    private static Optional<int[]> lookupIds(String user) {
        Exec.Result r = Exec.run(List.of("env", "LC_ALL=C", "id", user), null, QUICK); // "uid=" is translated elsewhere
        java.util.regex.Matcher m = IDS.matcher(r.output());
        return r.ok() && m.find() ? Optional.of(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))})
                : Optional.empty();
    }

    /** PATH first, then the sbin directories that a non-login root shell may not have on PATH. */
    private static Optional<Path> find(String program) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(java.io.File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        return dirs.stream().filter(d -> !d.isBlank()).map(d -> Path.of(d, program))
                .filter(Files::isExecutable).findFirst();
    }

    @Override
    public String toString() {
        return switched ? name + " (uid " + uid + ", via " + prefix.get(0) + ")" : name + " (current user)";
    }
}
