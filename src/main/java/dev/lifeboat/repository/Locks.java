package dev.lifeboat.repository;

import dev.lifeboat.storage.ObjectInfo;
import dev.lifeboat.util.Json;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Repository locks: many shared holders (backup, check, restore) or one exclusive holder (forget,
 * prune). A held lock is rewritten every few minutes; one older than {@link #STALE_AFTER}, or
 * held by a process on this host that no longer exists, is stale and ignored.
 */
public final class Locks {
    public static final Duration REFRESH_EVERY = Duration.ofMinutes(5);
    public static final Duration STALE_AFTER = Duration.ofMinutes(30);

    private Locks() {
    }

    public record Entry(String name, Lock lock, boolean stale, boolean unreadable) {
    }

    /** A held lock; closing releases it. */
    public static final class Held implements AutoCloseable {
        private final Repository repo;
        private final Lock lock;
        private final ScheduledExecutorService refresher;
        private volatile String name;

        private Held(Repository repo, Lock lock, String name) {
            this.repo = repo;
            this.lock = lock;
            this.name = name;
            this.refresher = Executors.newSingleThreadScheduledExecutor(dev.lifeboat.util.Workers.daemons("lock-refresh"));
            long every = REFRESH_EVERY.toSeconds();
            refresher.scheduleAtFixedRate(this::refresh, every, every, TimeUnit.SECONDS);
        }

        private synchronized void refresh() {
            try {
                Lock fresh = new Lock(Instant.now(), lock.exclusive(), lock.hostname(), lock.username(), lock.pid(), lock.command());
                String newName = Repository.LOCKS + repo.saveObject(Repository.LOCKS, Json.write(fresh)).hex();
                repo.storage().delete(name);
                name = newName;
            } catch (IOException ignored) {
                // the old lock stays; it goes stale only after STALE_AFTER, long after this retries
            }
        }

        @Override
        public synchronized void close() throws IOException {
            refresher.shutdownNow();
            repo.storage().delete(name);
        }
    }

    public static Held acquire(Repository repo, boolean exclusive, String command) throws IOException {
        Lock lock = new Lock(Instant.now(), exclusive, Hosts.hostname(), Hosts.username(),
                ProcessHandle.current().pid(), command);
        String name = Repository.LOCKS + repo.saveObject(Repository.LOCKS, Json.write(lock)).hex();
        for (Entry other : list(repo)) {
            if (other.name().equals(name) || other.stale()) {
                continue;
            }
            if (other.unreadable() || exclusive || other.lock().exclusive()) {
                repo.storage().delete(name);
                throw new RepositoryException("repository is locked " + describe(other)
                        + "; if that process is gone, run \"lifeboat unlock\"", ExitCodes.LOCKED);
            }
        }
        return new Held(repo, lock, name);
    }

    private static String describe(Entry e) {
        if (e.unreadable()) {
            return "by an unreadable lock " + e.name();
        }
        Lock l = e.lock();
        return (l.exclusive() ? "exclusively" : "") + " by " + l.command() + " (pid " + l.pid() + " on "
                + l.hostname() + " since " + l.time() + ")";
    }

    public static List<Entry> list(Repository repo) throws IOException {
        List<Entry> out = new ArrayList<>();
        for (ObjectInfo info : repo.list(Repository.LOCKS)) {
            try {
                Lock l = Json.read(repo.loadObject(info.name()), Lock.class);
                out.add(new Entry(info.name(), l, isStale(l), false));
            } catch (dev.lifeboat.storage.ObjectNotFoundException gone) {
                // released while we listed
            } catch (IOException e) {
                out.add(new Entry(info.name(), null, false, true));
            }
        }
        return out;
    }

    static boolean isStale(Lock l) {
        if (l.time().plus(STALE_AFTER).isBefore(Instant.now())) {
            return true;
        }
        return l.hostname().equals(Hosts.hostname()) && ProcessHandle.of(l.pid()).map(p -> !p.isAlive()).orElse(true);
    }

    /** Removes stale locks (or all with removeAll); returns the names removed. */
    public static List<String> unlock(Repository repo, boolean removeAll) throws IOException {
        List<String> removed = new ArrayList<>();
        for (Entry e : list(repo)) {
            if (removeAll || e.stale() || e.unreadable()) {
                repo.storage().delete(e.name());
                removed.add(e.name());
            }
        }
        return removed;
    }
}
