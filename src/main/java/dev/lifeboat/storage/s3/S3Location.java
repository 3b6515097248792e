package dev.lifeboat.storage.s3;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A parsed S3 repository location. Accepted forms:
 * <ul>
 *   <li>{@code s3:https://host[:port]/bucket[/prefix]} and {@code s3:http://...}: an S3-compatible endpoint
 *       (MinIO, Ceph, S3Proxy, ...);</li>
 *   <li>{@code s3:host[:port]/bucket[/prefix]}: the same over https;</li>
 *   <li>{@code s3:s3.amazonaws.com/bucket[/prefix]}, {@code s3:s3.REGION.amazonaws.com/bucket[/prefix]} and
 *       {@code s3://bucket[/prefix]}: Amazon S3 itself (the SDK picks the regional endpoint).</li>
 * </ul>
 *
 * @param endpoint the endpoint to send requests to, or null for Amazon S3's own endpoints
 * @param region   a region named by the host (s3.REGION.amazonaws.com), or null
 * @param bucket   the bucket
 * @param prefix   key prefix without leading or trailing '/', possibly empty
 */
public record S3Location(URI endpoint, String region, String bucket, String prefix) {

    public static boolean isS3(String location) {
        return location.startsWith("s3:");
    }

    public static S3Location parse(String location) {
        if (!isS3(location)) {
            throw new IllegalArgumentException("not an S3 location: " + location);
        }
        String rest = location.substring(3);
        if (rest.startsWith("//")) {
            // s3://bucket/prefix, as the AWS CLI writes it
            return awsPath(rest.substring(2), location);
        }
        String scheme = "https";
        if (rest.startsWith("https://")) {
            rest = rest.substring("https://".length());
        } else if (rest.startsWith("http://")) {
            scheme = "http";
            rest = rest.substring("http://".length());
        } else if (rest.contains("://")) {
            throw new IllegalArgumentException("invalid S3 location " + safe(location) + ": only http and https endpoints are supported");
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash + 1);
        if (authority.contains("@")) {
            throw new IllegalArgumentException("invalid S3 location " + safe(location)
                    + ": do not put credentials in the location; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        }
        if (authority.isEmpty()) {
            throw new IllegalArgumentException("invalid S3 location " + safe(location) + ": missing endpoint host");
        }
        String host = authority.toLowerCase(Locale.ROOT);
        int colon = host.lastIndexOf(':');
        String hostOnly = colon >= 0 && !host.endsWith("]") ? host.substring(0, colon) : host;
        if (scheme.equals("https") && colon < 0 && isAws(hostOnly)) {
            S3Location aws = awsPath(path, location);
            return new S3Location(null, regionOf(hostOnly), aws.bucket, aws.prefix);
        }
        URI endpoint;
        try {
            endpoint = new URI(scheme + "://" + authority);
            if (endpoint.getHost() == null) {
                throw new URISyntaxException(authority, "no host");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid S3 location " + safe(location) + ": bad endpoint " + authority);
        }
        S3Location p = awsPath(path, location);
        return new S3Location(endpoint, null, p.bucket, p.prefix);
    }

    private static S3Location awsPath(String path, String location) {
        String trimmed = strip(path);
        int slash = trimmed.indexOf('/');
        String bucket = slash < 0 ? trimmed : trimmed.substring(0, slash);
        String prefix = slash < 0 ? "" : strip(trimmed.substring(slash + 1));
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException("invalid S3 location " + safe(location) + ": missing bucket name");
        }
        if (!bucket.matches("[a-zA-Z0-9._-]{1,255}")) {
            throw new IllegalArgumentException("invalid S3 location " + safe(location) + ": invalid bucket name " + bucket);
        }
        return new S3Location(null, null, bucket, prefix);
    }

    private static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) == '/') {
            start++;
        }
        while (end > start && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(start, end);
    }

    static boolean isAws(String host) {
        return host.equals("s3.amazonaws.com") || (host.startsWith("s3.") || host.startsWith("s3-"))
                && host.endsWith(".amazonaws.com");
    }

    private static String regionOf(String host) {
        // s3.eu-west-1.amazonaws.com / s3-eu-west-1.amazonaws.com
        if (host.equals("s3.amazonaws.com") || host.length() <= "s3..amazonaws.com".length()) {
            return null;
        }
        String mid = host.substring(3, host.length() - ".amazonaws.com".length());
        return mid.startsWith("dualstack.") ? mid.substring("dualstack.".length()) : mid;
    }

    /** A location string safe to print even if the user pasted credentials into it. */
    static String safe(String location) {
        return location.replaceAll("//[^/@]*@", "//***@");
    }

    /** Key prefix to prepend to object names: "" or "prefix/". */
    public String keyPrefix() {
        return prefix.isEmpty() ? "" : prefix + "/";
    }

    /** The canonical printable form: s3:ENDPOINT/bucket/prefix (no credentials ever). */
    @Override
    public String toString() {
        String base = endpoint != null ? endpoint.toString()
                : region != null ? "s3." + region + ".amazonaws.com" : "s3.amazonaws.com";
        return "s3:" + base + "/" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    /** The endpoint for messages. */
    public String endpointForDisplay() {
        return endpoint != null ? endpoint.toString() : region != null ? "s3." + region + ".amazonaws.com" : "s3.amazonaws.com";
    }
}
