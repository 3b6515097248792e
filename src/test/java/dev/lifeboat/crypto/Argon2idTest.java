package dev.lifeboat.crypto;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class Argon2idTest {
    private static byte[] bouncyCastle(byte[] pw, byte[] salt, Argon2idParams p, int len) {
        Argon2BytesGenerator gen = new Argon2BytesGenerator();
        gen.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt).withMemoryAsKB(p.memoryKiB()).withIterations(p.iterations()).withParallelism(p.parallelism()).build());
        byte[] out = new byte[len];
        gen.generateBytes(pw, out);
        return out;
    }

    @Test
    void referenceVector() {
        // argon2 reference implementation's test.c: Argon2id v1.3, t=2, m=2^16, p=1, "password", "somesalt"
        byte[] tag = Argon2id.hash("password".getBytes(StandardCharsets.US_ASCII), "somesalt".getBytes(StandardCharsets.US_ASCII),
                new Argon2idParams(1 << 16, 2, 1), 32);
        assertEquals("09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7", HexFormat.of().formatHex(tag));
    }

    @Test
    void sameAsBouncyCastleForManyParameterSets() {
        Random rnd = new Random(7);
        int[][] sets = {{8, 1, 1}, {16, 2, 2}, {64, 3, 2}, {100, 1, 3}, {256, 2, 4}, {1024, 4, 2}, {4096, 1, 2}, {333, 2, 1},
                {37, 5, 4}, {2048, 3, 3}};
        for (int[] s : sets) {
            Argon2idParams p = new Argon2idParams(s[0], s[1], s[2]);
            for (int len : new int[]{4, 32, 64, 65, 100}) {
                byte[] pw = new byte[rnd.nextInt(40)];
                byte[] salt = new byte[8 + rnd.nextInt(24)];
                rnd.nextBytes(pw);
                rnd.nextBytes(salt);
                assertArrayEquals(bouncyCastle(pw, salt, p, len), Argon2id.hash(pw, salt, p, len),
                        "m=" + s[0] + " t=" + s[1] + " p=" + s[2] + " length " + len);
            }
        }
    }

    @Test
    void defaultParametersMatchBouncyCastle() {
        byte[] pw = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);
        byte[] salt = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");
        assertArrayEquals(bouncyCastle(pw, salt, Argon2idParams.DEFAULT, 32), Argon2id.hash(pw, salt, Argon2idParams.DEFAULT, 32));
    }
}
