package dev.lifeboat.storage.s3;

import dev.lifeboat.storage.ObjectInfo;
import dev.lifeboat.storage.ObjectNotFoundException;
import dev.lifeboat.storage.PermanentStorageException;
import dev.lifeboat.storage.Storage;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.StorageClass;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;

/**
 * Objects in an S3 bucket (Amazon S3 or an S3-compatible server), under an optional key prefix.
 * A PUT is atomic in S3 (readers see the old object, nothing, or the complete new one), and so is
 * completing a multipart upload, so {@link #save} and {@link #saveFile} keep the Storage contract.
 * Requests have call and attempt timeouts; throttling, 5xx and network errors are retried with
 * exponential backoff and full jitter.
 */
public final class S3Storage implements Storage {
    /** Objects under this prefix (pack files) get the configured storage class. */
    private static final String DATA_PREFIX = "data/";

    private final S3Location location;
    private final S3Options options;
    /** Built on a background thread: making an SDK client costs a third of a second at start-up,
     *  which the passphrase's key derivation can overlap (see Repository.open). */
    private final CompletableFuture<S3Client> client;
    private final String keyPrefix;
    private final StorageClass dataStorageClass;
    private volatile boolean bucketVerified;
    private volatile Path staging;

    public S3Storage(S3Location location, S3Options options) {
        this.location = location;
        this.options = options;
        this.keyPrefix = location.keyPrefix();
        StorageClass cls = StorageClass.fromValue(options.storageClass());
        if (cls == StorageClass.UNKNOWN_TO_SDK_VERSION) {
            throw new IllegalArgumentException("invalid S3 storage class " + options.storageClass()
                    + " (e.g. STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR)");
        }
        this.dataStorageClass = cls == StorageClass.STANDARD ? null : cls;
        this.client = CompletableFuture.supplyAsync(() -> buildClient(location, options),
                r -> dev.lifeboat.util.Workers.startDaemon("s3-client-setup", r));
    }

    private S3Client client() {
        try {
            return client.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** Storage for an "s3:..." location configured from the environment (see {@link S3Options#fromEnvironment}). */
    public static S3Storage open(String location) {
        S3Location loc = S3Location.parse(location);
        return new S3Storage(loc, S3Options.fromEnvironment(loc));
    }

    /** A client for the location's endpoint with Lifeboat's timeouts and retries; also used to read buckets as a backup source. */
    public static S3Client buildClient(S3Location location, S3Options o) {
        var retry = AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(o.maxAttempts())
                .backoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(200), Duration.ofSeconds(20)))
                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofSeconds(1), Duration.ofSeconds(20)))
                .circuitBreakerEnabled(false) // a backup should keep trying rather than fail fast after a bad patch
                .build();
        S3ClientBuilder b = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60))
                        .build())
                .region(Region.of(o.region()))
                .credentialsProvider(o.credentials())
                .forcePathStyle(o.pathStyle())
                // S3-compatible servers often do not understand the newer default checksum headers; the
                // repository authenticates every object itself.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(c -> c
                        .apiCallTimeout(o.apiCallTimeout())
                        .apiCallAttemptTimeout(o.attemptTimeout())
                        .retryStrategy(retry));
        if (location.endpoint() != null) {
            b.endpointOverride(location.endpoint());
        } else {
            b.crossRegionAccessEnabled(true);
        }
        return b.build();
    }

    /** An SDK failure as one line: the service's own message and status, never a stack of causes. */
    public static String describe(Throwable e) {
        if (e instanceof S3Exception s && s.awsErrorDetails() != null) {
            return s.awsErrorDetails().errorMessage() + " (HTTP " + s.statusCode() + ")";
        }
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }

    public S3Location s3Location() {
        return location;
    }

    private String key(String name) throws IOException {
        if (name.isEmpty() || name.startsWith("/") || name.contains("//") || name.contains("..")) {
            throw new PermanentStorageException("invalid object name: " + name);
        }
        return keyPrefix + name;
    }

    @Override
    public void save(String name, byte[] data) throws IOException {
        String key = key(name);
        call(() -> client().putObject(r -> r.bucket(location.bucket()).key(key).contentLength((long) data.length)
                .storageClass(storageClassFor(name)), RequestBody.fromBytes(data)), "upload", name);
    }

    @Override
    public void saveFile(String name, Path source) throws IOException {
        String key = key(name);
        long size = Files.size(source);
        if (size > options.multipartThreshold()) {
            multipartUpload(name, key, source, size);
        } else {
            call(() -> client().putObject(r -> r.bucket(location.bucket()).key(key).contentLength(size)
                    .storageClass(storageClassFor(name)), RequestBody.fromFile(source)), "upload", name);
        }
        if (staging != null && source.toAbsolutePath().startsWith(staging)) {
            Files.deleteIfExists(source); // "moved" into the bucket; do not leave staged packs behind
        }
    }

    private void multipartUpload(String name, String key, Path source, long size) throws IOException {
        // at most 10,000 parts per upload
        long partSize = Math.max(options.partSize(), (size + 9_999) / 10_000);
        CreateMultipartUploadResponse created = call(() -> client().createMultipartUpload(r -> r
                .bucket(location.bucket()).key(key).storageClass(storageClassFor(name))), "upload", name);
        String uploadId = created.uploadId();
        boolean done = false;
        try (FileChannel ch = FileChannel.open(source, StandardOpenOption.READ)) {
            List<CompletedPart> parts = new ArrayList<>();
            byte[] buf = new byte[(int) Math.min(partSize, size)];
            long offset = 0;
            int number = 1;
            while (offset < size) {
                int len = (int) Math.min(partSize, size - offset);
                readFully(ch, buf, len, offset, source);
                int partNumber = number;
                RequestBody body = RequestBody.fromByteBuffer(ByteBuffer.wrap(buf, 0, len));
                String etag = call(() -> client().uploadPart(r -> r.bucket(location.bucket()).key(key)
                        .uploadId(uploadId).partNumber(partNumber).contentLength((long) len), body), "upload", name).eTag();
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
                offset += len;
                number++;
            }
            call(() -> client().completeMultipartUpload(r -> r.bucket(location.bucket()).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts))), "upload", name);
            done = true;
        } finally {
            if (!done) {
                try {
                    client().abortMultipartUpload(r -> r.bucket(location.bucket()).key(key).uploadId(uploadId));
                } catch (SdkException ignored) {
                    // best effort; a bucket lifecycle rule can clean up incomplete uploads
                }
            }
        }
    }

    private static void readFully(FileChannel ch, byte[] buf, int len, long offset, Path source) throws IOException {
        if (dev.lifeboat.util.SlicedIo.read(ch, buf, 0, len, offset) < len) {
            throw new EOFException(source + " shrank while it was being uploaded");
        }
    }

    private StorageClass storageClassFor(String name) {
        return name.startsWith(DATA_PREFIX) ? dataStorageClass : null;
    }

    @Override
    public byte[] load(String name, long offset, int length) throws IOException {
        return load(name, offset, length, null);
    }

    /**
     * Reads the range straight into an array of its size (or into reuse): the SDK's byte responses
     * grow a buffer through every doubling and copy it, some 4x a 16 MiB span in garbage.
     */
    @Override
    public byte[] load(String name, long offset, int length, byte[] reuse) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("invalid range " + offset + "+" + length + " for " + name);
        }
        if (length == 0) {
            if (size(name) < 0) {
                throw new ObjectNotFoundException(name);
            }
            return new byte[0];
        }
        String key = key(name);
        String range = "bytes=" + offset + "-" + (offset + length - 1);
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = call(() -> client().getObject(r -> r.bucket(location.bucket()).key(key).range(range)), "read", name);
        } catch (RangeNotSatisfiable e) {
            throw new EOFException("object " + name + " is truncated: wanted " + length + " bytes at offset " + offset
                    + ", object has " + Math.max(size(name), 0));
        }
        byte[] out = reuse != null && reuse.length >= length ? reuse : new byte[length];
        try (in) {
            long sent = in.response().contentLength() == null ? length : in.response().contentLength();
            if (sent != length) {
                // a server that ignores Range sends the whole object (200); use the slice if it is long enough
                if (in.response().contentRange() != null || sent < offset + length) {
                    in.abort();
                    throw new EOFException("object " + name + " is truncated: wanted " + length + " bytes at offset " + offset
                            + ", got " + Math.max(sent, 0));
                }
                in.skipNBytes(offset);
            }
            int n = in.readNBytes(out, 0, length);
            if (n != length) {
                throw new EOFException("object " + name + " is truncated: wanted " + length + " bytes at offset " + offset
                        + ", got " + n);
            }
            if (sent != length) {
                in.abort(); // the rest of a whole object sent despite the Range
            }
        } catch (SdkException e) {
            throw translate(e, "read", name);
        }
        return out;
    }

    @Override
    public byte[] load(String name) throws IOException {
        String key = key(name);
        return call(() -> client().getObjectAsBytes(r -> r.bucket(location.bucket()).key(key)), "read", name).asByteArrayUnsafe();
    }

    @Override
    public long size(String name) throws IOException {
        String key = key(name);
        try {
            HeadObjectResponse head = call(() -> client().headObject(r -> r.bucket(location.bucket()).key(key)), "read", name);
            return head.contentLength();
        } catch (ObjectNotFoundException e) {
            // HEAD answers 404 without a body for a missing bucket too: tell the two apart once
            verifyBucket();
            return -1;
        }
    }

    private void verifyBucket() throws IOException {
        if (!bucketVerified) {
            call(() -> client().headBucket(r -> r.bucket(location.bucket())), "bucket", null);
            bucketVerified = true;
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        String full = keyPrefix + prefix;
        List<ObjectInfo> out = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = call(() -> client().listObjectsV2(ListObjectsV2Request.builder()
                    .bucket(location.bucket()).prefix(full).continuationToken(t).build()), "list", prefix);
            for (S3Object o : page.contents()) {
                out.add(new ObjectInfo(o.key().substring(keyPrefix.length()), o.size()));
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        bucketVerified = true;
        return out;
    }

    @Override
    public void delete(String name) throws IOException {
        String key = key(name);
        try {
            call(() -> client().deleteObject(r -> r.bucket(location.bucket()).key(key)), "delete", name);
        } catch (ObjectNotFoundException ignored) {
            // already gone
        }
    }

    @Override
    public synchronized Path stagingDir() throws IOException {
        if (staging == null) {
            staging = Files.createTempDirectory("lifeboat-s3-").toAbsolutePath();
        }
        return staging;
    }

    @Override
    public String location() {
        return location.toString();
    }

    @Override
    public boolean remote() {
        return true;
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            client().close();
        } catch (RuntimeException e) {
            // the client could not be built: nothing to close
        }
        if (staging != null) {
            try (Stream<Path> files = Files.walk(staging)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException ignored) {
                // temp files only
            }
            staging = null;
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run();
    }

    /** Thrown internally for HTTP 416 so that range reads can report truncation. */
    private static final class RangeNotSatisfiable extends IOException {
        RangeNotSatisfiable() {
            super("requested range not satisfiable");
        }
    }

    private <T> T call(Call<T> call, String op, String name) throws IOException {
        try {
            return call.run();
        } catch (SdkException e) {
            throw translate(e, op, name);
        }
    }

    /** One clear line for each failure; never includes credentials. */
    IOException translate(SdkException e, String op, String name) {
        String where = location.toString();
        if (e instanceof S3Exception s3) {
            String code = s3.awsErrorDetails() != null ? s3.awsErrorDetails().errorCode() : null;
            int status = s3.statusCode();
            if ("NoSuchBucket".equals(code)) {
                return new PermanentStorageException("bucket " + location.bucket() + " does not exist at " + location.endpointForDisplay());
            }
            if ("NoSuchKey".equals(code) || status == 404 && name != null && !"list".equals(op)) {
                return new ObjectNotFoundException(name);
            }
            if (status == 404 && name == null) {
                return new PermanentStorageException("bucket " + location.bucket() + " does not exist at " + location.endpointForDisplay());
            }
            if (status == 403 || "InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)
                    || "AccessDenied".equals(code) || "InvalidToken".equals(code) || "ExpiredToken".equals(code)) {
                return new PermanentStorageException("access denied to " + where + ": check credentials");
            }
            if (status == 416 || "InvalidRange".equals(code)) {
                return new RangeNotSatisfiable();
            }
            if (status == 301 || "PermanentRedirect".equals(code) || "AuthorizationHeaderMalformed".equals(code)) {
                return new PermanentStorageException("S3 " + op + " failed at " + where + ": wrong region (set LIFEBOAT_S3_REGION or AWS_REGION)");
            }
            return new IOException("S3 " + op + (name != null ? " of " + name : "") + " failed at " + where + ": "
                    + (code != null ? code + " (HTTP " + status + ")" : "HTTP " + status) + detail(s3));
        }
        if (e instanceof SdkServiceException se) {
            return new IOException("S3 " + op + " failed at " + where + ": HTTP " + se.statusCode());
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return new IOException("S3 " + op + (name != null ? " of " + name : "") + " timed out at "
                    + location.endpointForDisplay());
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof UnknownHostException || c instanceof NoRouteToHostException
                    || c instanceof SocketTimeoutException || c instanceof javax.net.ssl.SSLException) {
                return new IOException("cannot reach S3 endpoint " + location.endpointForDisplay() + ": " + oneLine(c));
            }
            if (c instanceof InterruptedException || c instanceof InterruptedIOException) {
                return new InterruptedIOException("S3 " + op + " interrupted");
            }
        }
        String msg = oneLine(e);
        if (e instanceof SdkClientException && msg.contains("Unable to load credentials")) {
            return new PermanentStorageException("no S3 credentials for " + where
                    + ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)");
        }
        if (e instanceof SdkClientException && msg.contains("Unable to execute HTTP request")) {
            return new IOException("cannot reach S3 endpoint " + location.endpointForDisplay() + ": " + msg);
        }
        return new IOException("S3 " + op + " failed at " + where + ": " + msg);
    }

    private static String detail(S3Exception e) {
        String m = e.awsErrorDetails() != null ? e.awsErrorDetails().errorMessage() : null;
        return m == null || m.isBlank() ? "" : ": " + m.lines().findFirst().orElse("").strip();
    }

    private static String oneLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        String first = m.lines().findFirst().orElse("").strip();
        // SDK messages append "(Service: S3, Status Code: ..., Request ID: ...)"; keep them short
        int paren = first.indexOf(" (Service:");
        return paren > 0 ? first.substring(0, paren) : first;
    }
}
