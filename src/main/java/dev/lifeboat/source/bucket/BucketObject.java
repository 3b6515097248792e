package dev.lifeboat.source.bucket;

import java.time.Instant;

/** One object as a bucket listing shows it: enough to tell whether it changed since the last backup. */
record BucketObject(String key, String etag, long size, Instant lastModified) {
}
