package dev.lifeboat.storage.s3;

import dev.lifeboat.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retries and timeouts, through a TCP proxy in front of the real S3Proxy that answers the first
 * connections with 503 Slow Down (or does not answer at all) before passing bytes through.
 */
class S3RetryTest {
    static S3ProxyServer server;
    static final String BUCKET = "retry";
    FaultProxy proxy;

    @BeforeAll
    static void startServer() throws IOException {
        server = S3ProxyServer.shared();
        server.createBucket(BUCKET);
    }

    @AfterEach
    void stopProxy() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
    }

    private S3Storage storageVia(FaultProxy p, UnaryOperator<S3Options> tweak) {
        S3Location loc = S3Location.parse("s3:http://127.0.0.1:" + p.port() + "/" + BUCKET + "/r");
        return new S3Storage(loc, tweak.apply(S3Options.of(loc, S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)));
    }

    @Test
    void serverErrorsAreRetriedWithBackoff() throws Exception {
        proxy = new FaultProxy(server.port(), 3, false);
        try (S3Storage s = storageVia(proxy, o -> o)) {
            long start = System.nanoTime();
            assertEquals(-1, s.size("config"));
            assertEquals(3, proxy.failed.get(), "three 503s, then success on the fourth attempt");
            assertTrue(System.nanoTime() - start > Duration.ofMillis(100).toNanos(), "backed off between attempts");
            s.save("config", new byte[]{4, 5, 6});
            assertArrayEquals(new byte[]{4, 5, 6}, s.load("config", 0, 3));
        }
    }

    @Test
    void givesUpAfterFiveAttempts() throws Exception {
        proxy = new FaultProxy(server.port(), Integer.MAX_VALUE, false);
        try (S3Storage s = storageVia(proxy, o -> o)) {
            IOException e = assertThrows(IOException.class, () -> s.load("config"));
            assertEquals(5, proxy.failed.get());
            assertTrue(e.getMessage().startsWith("S3 read of config failed at s3:http://127.0.0.1:"), e.getMessage());
            assertTrue(e.getMessage().contains("HTTP 503"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }

    @Test
    void hangingServerTimesOut() throws Exception {
        proxy = new FaultProxy(server.port(), Integer.MAX_VALUE, true);
        try (S3Storage s = storageVia(proxy, o -> o.withTimeouts(Duration.ofSeconds(3), Duration.ofMillis(400), 2))) {
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class, () -> s.size("config"));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < 3_500, "bounded by the timeouts: " + ms + " ms");
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        }
    }

    /** Fails the first N connections (503 or silence), then relays bytes both ways. */
    static final class FaultProxy implements AutoCloseable {
        final AtomicInteger failed = new AtomicInteger();
        private final ServerSocket socket;
        private final List<Socket> open = new ArrayList<>();
        private final Thread acceptor;

        FaultProxy(int targetPort, int failures, boolean hang) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket c = socket.accept();
                        synchronized (open) {
                            open.add(c);
                        }
                        if (failed.get() < failures) {
                            failed.incrementAndGet();
                            if (!hang) {
                                c.getOutputStream().write(("HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\n"
                                        + "Connection: close\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                                c.getOutputStream().flush();
                                c.shutdownOutput();
                                drainAndClose(c);
                            }
                            continue;
                        }
                        Socket t = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                        synchronized (open) {
                            open.add(t);
                        }
                        pipe(c, t);
                        pipe(t, c);
                    } catch (IOException e) {
                        // closed
                    }
                }
            }, "fault-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private static void drainAndClose(Socket c) {
            Thread t = new Thread(() -> {
                try (c; InputStream in = c.getInputStream()) {
                    c.setSoTimeout(2000);
                    in.transferTo(OutputStream.nullOutputStream());
                } catch (IOException ignored) {
                    // done
                }
            });
            t.setDaemon(true);
            t.start();
        }

        private static void pipe(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException ignored) {
                    // one side closed
                } finally {
                    try {
                        to.shutdownOutput();
                    } catch (IOException ignored) {
                        // closed
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            synchronized (open) {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }
}
