package dev.lifeboat.source.postgres.physical;

import dev.lifeboat.source.postgres.cluster.ServerUser;
import dev.lifeboat.util.Workers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fetches the WAL a recovery needs into the directory its restore_command copies from: history
 * files first (then the marker {@code .histories}), then segments in order on several threads,
 * each written under a temporary name and renamed, then {@code .done}. On failure it writes
 * {@code .failed}, which makes the restore_command abort recovery rather than end it early.
 */
final class WalPrefetch {
    private final WalCoverage cov;
    private final WalArchive archive;
    private final long systemId;
    private final List<WalCoverage.Span> path;
    private final List<String> segments;
    private final Path dir;
    private final int threads;
    private final int lead;
    private final ServerUser user;
    private final java.util.concurrent.atomic.AtomicInteger fetched = new java.util.concurrent.atomic.AtomicInteger();
    /** Segments up to this index are fetched without waiting for the server to ask (see {@link #awaitDemand}). */
    private final java.util.concurrent.atomic.AtomicInteger horizon;
    private final java.time.Instant targetTime;
    private volatile boolean cancelled;

    /**
     * With lead 0, every segment is fetched as fast as it can be (recovery to the latest point or an
     * LSN needs them all). Otherwise, for a time target (targetTime not null), segments are fetched
     * freely until one received after the target is found (the target's commit is in it or, when its
     * record spans the boundary, in the next), and on demand with the lead after that; for other targets
     * on demand from the start.
     */
    WalPrefetch(WalCoverage cov, WalArchive archive, long systemId, List<WalCoverage.Span> path, List<String> segments,
                Path dir, ServerUser user, int threads, int lead, java.time.Instant targetTime) {
        this.targetTime = targetTime;
        this.horizon = new java.util.concurrent.atomic.AtomicInteger(targetTime != null ? Integer.MAX_VALUE : -1);
        this.cov = cov;
        this.archive = archive;
        this.systemId = systemId;
        this.path = path;
        this.segments = segments;
        this.dir = dir;
        this.threads = threads;
        this.lead = lead;
        this.user = user;
    }

    /** Segments fetched so far (with a lead, recovery to a target may not need them all). */
    int fetched() {
        return fetched.get();
    }

    void cancel() {
        cancelled = true;
    }

    void run() throws IOException {
        try {
            for (WalCoverage.Span s : path) {
                if (s.timeline() > 1) {
                    Optional<byte[]> h = archive.history(systemId, s.timeline());
                    if (h.isPresent()) {
                        write(WalName.history(s.timeline()), h.get());
                    }
                }
            }
            Files.writeString(dir.resolve(".histories"), "");
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            AtomicReference<IOException> failure = new AtomicReference<>();
            Workers.runAll(threads, "wal-fetch", () -> {
                for (int i; !cancelled && failure.get() == null && (i = next.getAndIncrement()) < segments.size(); ) {
                    String name = segments.get(i);
                    try {
                        awaitDemand(i);
                        if (!cancelled) {
                            WalCoverage.Assembled a = cov.assembleTimed(name);
                            if (targetTime != null && a.endTime() != null && a.endTime().isAfter(targetTime)) {
                                horizon.accumulateAndGet(i + 1, Math::min); // and the next, for a record spanning the boundary
                            }
                            write(name, a.data());
                            fetched.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failure.compareAndSet(null, new IOException("cannot fetch WAL segment " + name + ": " + e.getMessage(), e));
                    }
                }
            });
            if (failure.get() != null) {
                throw failure.get();
            }
            Files.writeString(dir.resolve(".done"), "");
        } catch (IOException | RuntimeException e) {
            try {
                Files.writeString(dir.resolve(".failed"), String.valueOf(e.getMessage()));
            } catch (IOException ignored) {
                // the recovery then waits for .done until the restore is stopped; the error is reported
            }
            throw e;
        }
    }

    /**
     * Past the horizon, fetches at most lead segments beyond the newest one the server has asked
     * for (its restore_command leaves a {@code .want-NAME} marker): recovery to a target then does
     * not pay for WAL after it, and the fetch does not compete with replay for the CPU.
     */
    private void awaitDemand(int index) throws IOException {
        if (lead <= 0) {
            return;
        }
        // A receive time only bounds the records in a segment if the two clocks agree; past the
        // horizon the server's own requests still bring every segment it asks for.
        while (!cancelled && index > horizon.get() && index >= highestWanted() + lead) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    private int highestWanted() throws IOException {
        int best = -1;
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String f = p.getFileName().toString();
                if (f.startsWith(".want-")) {
                    best = Math.max(best, segments.indexOf(f.substring(".want-".length())));
                }
            }
        }
        return best;
    }

    private void write(String name, byte[] data) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        Files.write(tmp, data);
        if (user.switched()) {
            // the server hard-links the file into pg_wal, which Linux allows only to the file's owner
            Files.setAttribute(tmp, "unix:uid", user.uid());
            Files.setAttribute(tmp, "unix:gid", user.gid());
        }
        PhysicalRestore.moveInto(tmp, dir.resolve(name));
    }
}
