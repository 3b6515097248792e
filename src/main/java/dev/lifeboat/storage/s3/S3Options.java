package dev.lifeboat.storage.s3;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * How to talk to S3.
 *
 * @param region             signing region (us-east-1 unless told otherwise)
 * @param pathStyle          path-style addressing (endpoint/bucket/key) instead of virtual hosts (bucket.endpoint/key)
 * @param storageClass       S3 storage class for data (pack) objects, e.g. STANDARD, STANDARD_IA
 * @param credentials        where credentials come from
 * @param apiCallTimeout     limit for one call including its retries
 * @param attemptTimeout     limit for one HTTP attempt
 * @param maxAttempts        attempts per call (first try plus retries), with exponential backoff and jitter
 * @param multipartThreshold files larger than this are uploaded in parts
 * @param partSize           size of one part of a multipart upload (at least 5 MiB)
 */
public record S3Options(String region, boolean pathStyle, String storageClass, AwsCredentialsProvider credentials,
                        Duration apiCallTimeout, Duration attemptTimeout, int maxAttempts,
                        long multipartThreshold, int partSize) {

    public static final String DEFAULT_REGION = "us-east-1";
    public static final long DEFAULT_MULTIPART_THRESHOLD = 16L * 1024 * 1024;
    public static final int DEFAULT_PART_SIZE = 8 * 1024 * 1024;

    public S3Options {
        if (partSize < 5 * 1024 * 1024) {
            throw new IllegalArgumentException("S3 part size must be at least 5 MiB");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("S3 max attempts must be at least 1");
        }
    }

    /** Options with explicit credentials and all defaults (tests, embedding). */
    public static S3Options of(S3Location location, String accessKey, String secretKey) {
        return defaults(location, StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)), Map.of());
    }

    /**
     * Options from the environment, as the CLI uses them:
     * <ul>
     *   <li>credentials: the AWS default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE and
     *       ~/.aws/credentials, container and instance roles). When AWS_ACCESS_KEY_ID is not set, the system
     *       properties {@code lifeboat.s3.accessKey} and {@code lifeboat.s3.secretKey} are used if present
     *       (for tests and for embedding Lifeboat in another JVM program);</li>
     *   <li>region: LIFEBOAT_S3_REGION, else AWS_REGION, else the region in the host name, else us-east-1;</li>
     *   <li>path-style addressing: on for custom endpoints unless LIFEBOAT_S3_PATH_STYLE=false, off for Amazon S3
     *       unless LIFEBOAT_S3_PATH_STYLE=true;</li>
     *   <li>storage class of data objects: LIFEBOAT_S3_STORAGE_CLASS (default STANDARD).</li>
     * </ul>
     */
    public static S3Options fromEnvironment(S3Location location) {
        return fromEnvironment(location, System.getenv());
    }

    static S3Options fromEnvironment(S3Location location, Map<String, String> env) {
        AwsCredentialsProvider creds;
        String sysKey = System.getProperty("lifeboat.s3.accessKey");
        String sysSecret = System.getProperty("lifeboat.s3.secretKey");
        if (blank(env.get("AWS_ACCESS_KEY_ID")) && !blank(sysKey) && !blank(sysSecret)) {
            creds = StaticCredentialsProvider.create(AwsBasicCredentials.create(sysKey, sysSecret));
        } else {
            creds = DefaultCredentialsProvider.builder().build();
        }
        return defaults(location, creds, env);
    }

    private static S3Options defaults(S3Location location, AwsCredentialsProvider creds, Map<String, String> env) {
        String region = firstNonBlank(env.get("LIFEBOAT_S3_REGION"), env.get("AWS_REGION"), location.region(), DEFAULT_REGION);
        boolean pathStyle = location.endpoint() != null;
        String ps = env.get("LIFEBOAT_S3_PATH_STYLE");
        if (!blank(ps)) {
            pathStyle = switch (ps.trim().toLowerCase(Locale.ROOT)) {
                case "true", "1", "yes", "on" -> true;
                case "false", "0", "no", "off" -> false;
                default -> throw new IllegalArgumentException("invalid LIFEBOAT_S3_PATH_STYLE " + ps + ": expected true or false");
            };
        }
        String storageClass = firstNonBlank(env.get("LIFEBOAT_S3_STORAGE_CLASS"), "STANDARD").trim().toUpperCase(Locale.ROOT);
        return new S3Options(region, pathStyle, storageClass, creds, Duration.ofMinutes(15), Duration.ofMinutes(3), 5,
                DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE);
    }

    public S3Options withCredentials(AwsCredentialsProvider provider) {
        return new S3Options(region, pathStyle, storageClass, provider, apiCallTimeout, attemptTimeout, maxAttempts,
                multipartThreshold, partSize);
    }

    public S3Options withTimeouts(Duration apiCall, Duration attempt, int attempts) {
        return new S3Options(region, pathStyle, storageClass, credentials, apiCall, attempt, attempts,
                multipartThreshold, partSize);
    }

    public S3Options withStorageClass(String cls) {
        return new S3Options(region, pathStyle, cls, credentials, apiCallTimeout, attemptTimeout, maxAttempts,
                multipartThreshold, partSize);
    }

    @Override
    public String toString() {
        // never print credentials
        return "S3Options[region=" + region + ", pathStyle=" + pathStyle + ", storageClass=" + storageClass + "]";
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (!blank(v)) {
                return v;
            }
        }
        return null;
    }
}
