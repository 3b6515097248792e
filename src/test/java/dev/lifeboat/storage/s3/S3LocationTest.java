package dev.lifeboat.storage.s3;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class S3LocationTest {
    @Test
    void customEndpoints() {
        S3Location l = S3Location.parse("s3:https://minio.example.com:9000/backups/host1/db");
        assertEquals(URI.create("https://minio.example.com:9000"), l.endpoint());
        assertEquals("backups", l.bucket());
        assertEquals("host1/db", l.prefix());
        assertEquals("host1/db/", l.keyPrefix());
        assertEquals("s3:https://minio.example.com:9000/backups/host1/db", l.toString());

        S3Location plain = S3Location.parse("s3:http://127.0.0.1:9000/bucket/");
        assertEquals(URI.create("http://127.0.0.1:9000"), plain.endpoint());
        assertEquals("", plain.prefix());
        assertEquals("", plain.keyPrefix());
        assertEquals("s3:http://127.0.0.1:9000/bucket", plain.toString());

        S3Location noScheme = S3Location.parse("s3:storage.example.net/bucket//a/b/");
        assertEquals(URI.create("https://storage.example.net"), noScheme.endpoint());
        assertEquals("a/b", noScheme.prefix());
    }

    @Test
    void amazonS3() {
        S3Location l = S3Location.parse("s3:s3.amazonaws.com/bucket/prefix");
        assertNull(l.endpoint());
        assertNull(l.region());
        assertEquals("bucket", l.bucket());
        assertEquals("prefix", l.prefix());
        assertEquals("s3:s3.amazonaws.com/bucket/prefix", l.toString());

        S3Location regional = S3Location.parse("s3:s3.eu-west-1.amazonaws.com/bucket");
        assertNull(regional.endpoint());
        assertEquals("eu-west-1", regional.region());
        assertEquals("", regional.prefix());

        S3Location cli = S3Location.parse("s3://bucket/a/b");
        assertNull(cli.endpoint());
        assertEquals("bucket", cli.bucket());
        assertEquals("a/b", cli.prefix());
    }

    @Test
    void invalid() {
        for (String bad : new String[]{"s3:", "s3:https://host", "s3:https://host/", "s3:ftp://host/b", "s3://",
                "s3:https://host/bad bucket/x"}) {
            assertThrows(IllegalArgumentException.class, () -> S3Location.parse(bad), bad);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> S3Location.parse("s3:https://AKIA:supersecret@host/bucket"));
        assertFalse(e.getMessage().contains("supersecret"), e.getMessage());
    }

    @Test
    void optionsFromEnvironment() {
        S3Location custom = S3Location.parse("s3:http://127.0.0.1:9000/bucket");
        S3Location aws = S3Location.parse("s3:s3.eu-central-1.amazonaws.com/bucket");
        Map<String, String> env = new HashMap<>();
        S3Options o = S3Options.fromEnvironment(custom, env);
        assertEquals("us-east-1", o.region());
        assertTrue(o.pathStyle());
        assertEquals("STANDARD", o.storageClass());
        assertEquals(5, o.maxAttempts());
        assertEquals(16L << 20, o.multipartThreshold());
        assertEquals(8 << 20, o.partSize());
        assertEquals("eu-central-1", S3Options.fromEnvironment(aws, env).region());
        assertFalse(S3Options.fromEnvironment(aws, env).pathStyle());

        env.put("AWS_REGION", "ap-south-1");
        assertEquals("ap-south-1", S3Options.fromEnvironment(custom, env).region());
        env.put("LIFEBOAT_S3_REGION", "eu-north-1");
        env.put("LIFEBOAT_S3_PATH_STYLE", "false");
        env.put("LIFEBOAT_S3_STORAGE_CLASS", "standard_ia");
        o = S3Options.fromEnvironment(custom, env);
        assertEquals("eu-north-1", o.region());
        assertFalse(o.pathStyle());
        assertEquals("STANDARD_IA", o.storageClass());
        env.put("LIFEBOAT_S3_PATH_STYLE", "maybe");
        assertThrows(IllegalArgumentException.class, () -> S3Options.fromEnvironment(custom, env));

        S3Options bad = S3Options.of(custom, "a", "b").withStorageClass("COLD_FEET");
        assertThrows(IllegalArgumentException.class, () -> new S3Storage(custom, bad));
        assertFalse(S3Options.of(custom, "a", "very-secret").toString().contains("very-secret"));
    }
}
