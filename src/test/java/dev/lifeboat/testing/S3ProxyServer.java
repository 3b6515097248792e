package dev.lifeboat.testing;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real S3 API server for tests: S3Proxy (org.gaul:s3proxy, jar-with-dependencies) run with
 * {@code java -jar} as a child process on 127.0.0.1, storing objects in a temporary directory
 * (jclouds filesystem backend) and checking AWS v2/v4 signatures against a fixed test identity.
 * The jar is copied to ${project.build.directory}/s3proxy/s3proxy.jar by the maven-dependency-plugin
 * (surefire passes that path as the system property lifeboat.s3proxy.jar).
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "lifeboat-test-access";
    public static final String SECRET_KEY = "lifeboat-test-secret-0123456789";

    private static S3ProxyServer shared;

    private final Process process;
    private final Path dir;
    private final Path log;
    private final int port;
    private final Thread hook;

    private S3ProxyServer(Process process, Path dir, Path log, int port) {
        this.process = process;
        this.dir = dir;
        this.log = log;
        this.port = port;
        this.hook = new Thread(this::stop, "s3proxy-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** One server for the whole test JVM, started on first use, stopped by a shutdown hook. */
    public static synchronized S3ProxyServer shared() throws IOException {
        if (shared == null || !shared.process.isAlive()) {
            shared = start();
        }
        return shared;
    }

    /** Starts a new server and waits until it answers; close() stops it and deletes its data. */
    public static S3ProxyServer start() throws IOException {
        Path jar = findJar();
        Path dir = Files.createTempDirectory("lifeboat-s3proxy-");
        Path data = Files.createDirectories(dir.resolve("data"));
        int port = freePort();
        String props = String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.identity=" + ACCESS_KEY,
                "jclouds.credential=" + SECRET_KEY,
                "jclouds.filesystem.basedir=" + data.toAbsolutePath(),
                "");
        Path conf = dir.resolve("s3proxy.conf");
        Files.writeString(conf, props, StandardCharsets.UTF_8);
        Path log = dir.resolve("s3proxy.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-jar", jar.toString(), "--properties", conf.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        S3ProxyServer server = new S3ProxyServer(p, dir, log, port);
        try {
            server.awaitReady(Duration.ofSeconds(60));
        } catch (IOException | RuntimeException e) {
            String out = server.logTail();
            server.close();
            throw new IOException("S3Proxy did not start: " + e.getMessage() + "\n" + out, e);
        }
        return server;
    }

    private static Path findJar() throws IOException {
        List<Path> candidates = new ArrayList<>();
        String prop = System.getProperty("lifeboat.s3proxy.jar");
        if (prop != null) {
            candidates.add(Path.of(prop));
        }
        candidates.add(Path.of("target", "s3proxy", "s3proxy.jar"));
        Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository", "org", "gaul", "s3proxy");
        if (Files.isDirectory(m2)) {
            try (Stream<Path> versions = Files.list(m2)) {
                versions.sorted(Comparator.reverseOrder()).forEach(v -> candidates.add(
                        v.resolve("s3proxy-" + v.getFileName() + "-jar-with-dependencies.jar")));
            }
        }
        for (Path c : candidates) {
            if (Files.isRegularFile(c)) {
                return c;
            }
        }
        throw new IOException("S3Proxy jar not found (tried " + candidates + "); run the tests through Maven so that "
                + "maven-dependency-plugin copies it");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void awaitReady(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("S3Proxy exited with code " + process.exitValue());
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                int code = c.getResponseCode(); // 403 without a signature: it answers, that is enough
                c.disconnect();
                if (code > 0) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
        throw new IOException("no answer on port " + port + " within " + timeout.toSeconds() + "s");
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The repository location for a bucket and prefix: s3:http://127.0.0.1:PORT/bucket/prefix. */
    public String location(String bucket, String prefix) {
        return "s3:" + endpoint() + "/" + bucket + (prefix == null || prefix.isEmpty() ? "" : "/" + prefix);
    }

    /** Creates a bucket through the S3 API (idempotent). */
    public void createBucket(String bucket) {
        try (S3Client s3 = client()) {
            try {
                s3.createBucket(r -> r.bucket(bucket));
            } catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException exists) {
                // fine
            }
        }
    }

    /** A plain SDK client for the server, to look at or damage objects behind a repository's back. */
    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private synchronized void stop() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // temp dir; best effort
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // already running hooks
        }
    }
}
