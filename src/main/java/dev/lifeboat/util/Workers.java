package dev.lifeboat.util;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Runs the same loop on several threads and waits for all of them, and waits for a task's result: the parallel shapes used here. */
public final class Workers {
    private Workers() {
    }

    /**
     * Threads for a pool whose work must not keep the JVM alive: a command that fails or is
     * interrupted exits with its message instead of waiting for background work.
     */
    public static java.util.concurrent.ThreadFactory daemons(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Runs body on a new daemon thread (see {@link #daemons}). */
    public static Thread startDaemon(String name, Runnable body) {
        Thread t = daemons(name).newThread(body);
        t.start();
        return t;
    }

    public static void runAll(int threads, String name, Runnable body) throws InterruptedIOException {
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < Math.max(1, threads); i++) {
            Thread t = new Thread(body, name + "-" + i);
            t.start();
            workers.add(t);
        }
        for (Thread t : workers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
        }
    }

    /**
     * The task's result, or what it threw as it was thrown: an IOException or an unchecked exception
     * keeps its type (and so its exit code and one-line message); anything else becomes an IOException.
     */
    public static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }
}
