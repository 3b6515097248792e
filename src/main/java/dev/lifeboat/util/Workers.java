package dev.lifeboat.util;

import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;

/** Runs the same loop on several threads and waits for all of them: the shape of every parallel copy loop here. */
public final class Workers {
    private Workers() {
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
}
