package dev.lifeboat.crypto;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AeadTest {
    final Aead aead = new Aead(new byte[32]);

    @Test
    void roundTripAndEveryFlippedBitIsRejected() throws Exception {
        byte[] plain = "backup me".getBytes();
        byte[] sealed = aead.seal(plain);
        assertEquals(plain.length + Aead.OVERHEAD, sealed.length);
        assertArrayEquals(plain, aead.open(sealed));
        for (int i = 0; i < sealed.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = sealed.clone();
                bad[i] ^= (byte) (1 << bit);
                assertThrows(AuthenticationException.class, () -> aead.open(bad));
            }
        }
        assertThrows(AuthenticationException.class, () -> aead.open(Arrays.copyOf(sealed, sealed.length - 1)));
        assertThrows(AuthenticationException.class, () -> new Aead(new byte[32]).open(new byte[5]));
        byte[] otherKey = new byte[32];
        otherKey[31] = 1;
        assertThrows(AuthenticationException.class, () -> new Aead(otherKey).open(sealed));
    }

    @Test
    void largeMessagesSealedInSlicesRoundTripAndAreAuthenticated() throws Exception {
        java.util.Random r = new java.util.Random(7);
        for (int len : new int[]{0, 1, 32 * 1024 - 1, 32 * 1024, 32 * 1024 + 1, 96 * 1024, 1 << 20, (1 << 20) + 13}) {
            byte[] plain = new byte[len];
            r.nextBytes(plain);
            byte[] sealed = aead.seal(plain);
            org.junit.jupiter.api.Assertions.assertArrayEquals(plain, aead.open(sealed), "length " + len);
            if (len > 0) {
                sealed[Aead.NONCE_LENGTH + r.nextInt(len)] ^= 1;
                org.junit.jupiter.api.Assertions.assertThrows(AuthenticationException.class, () -> aead.open(sealed), "length " + len);
            }
        }
    }

    @Test
    void sealingInPlaceGivesAnOrdinarySealedMessage() throws Exception {
        java.util.Random r = new java.util.Random(8);
        for (int len : new int[]{0, 5, 32 * 1024 + 7, (1 << 20) + 13}) {
            byte[] plain = new byte[len];
            r.nextBytes(plain);
            int off = 9;
            byte[] buf = new byte[off + len + Aead.OVERHEAD + 3];
            System.arraycopy(plain, 0, buf, off + Aead.NONCE_LENGTH, len);
            int n = aead.sealInPlace(buf, off, len, null);
            assertEquals(len + Aead.OVERHEAD, n);
            byte[] sealed = java.util.Arrays.copyOfRange(buf, off, off + n);
            org.junit.jupiter.api.Assertions.assertArrayEquals(plain, aead.open(sealed), "length " + len);
            if (len > 0) {
                org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(plain,
                        java.util.Arrays.copyOfRange(sealed, Aead.NONCE_LENGTH, Aead.NONCE_LENGTH + len)), "encrypted, length " + len);
            }
        }
    }

    @Test
    void sealingToAStreamGivesAnOrdinarySealedMessage() throws Exception {
        java.util.Random r = new java.util.Random(9);
        byte[] scratch = Aead.sealScratch();
        for (int len : new int[]{0, 5, 32 * 1024, 32 * 1024 + 1, (1 << 20) + 13}) {
            byte[] plain = new byte[len + 4];
            r.nextBytes(plain);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            assertEquals(len + Aead.OVERHEAD, aead.sealTo(plain, 2, len, out, scratch, null));
            byte[] sealed = out.toByteArray();
            assertEquals(len + Aead.OVERHEAD, sealed.length);
            org.junit.jupiter.api.Assertions.assertArrayEquals(Arrays.copyOfRange(plain, 2, 2 + len), aead.open(sealed), "length " + len);
        }
    }

    @Test
    void associatedDataMustBeTheSameToOpen() throws Exception {
        java.util.Random r = new java.util.Random(10);
        byte[] aad = new byte[33];
        r.nextBytes(aad);
        byte[] other = aad.clone();
        other[32] ^= 1;
        byte[] scratch = Aead.sealScratch();
        for (int len : new int[]{0, 100, 64 * 1024 + 1, (1 << 20) + 13}) { // both sides of the large-message path
            byte[] plain = new byte[len];
            r.nextBytes(plain);
            byte[] buf = new byte[len + Aead.OVERHEAD];
            System.arraycopy(plain, 0, buf, Aead.NONCE_LENGTH, len);
            aead.sealInPlace(buf, 0, len, aad);
            java.io.ByteArrayOutputStream streamed = new java.io.ByteArrayOutputStream();
            aead.sealTo(plain, 0, len, streamed, scratch, aad);
            for (byte[] sealed : List.of(buf, streamed.toByteArray())) {
                byte[] out = new byte[len];
                assertEquals(len, aead.open(sealed, 0, sealed.length, out, 0, aad));
                org.junit.jupiter.api.Assertions.assertArrayEquals(plain, out, "length " + len);
                assertThrows(AuthenticationException.class, () -> aead.open(sealed, 0, sealed.length, out, 0, other), "other data, length " + len);
                assertThrows(AuthenticationException.class, () -> aead.open(sealed, 0, sealed.length, out, 0, null), "no data, length " + len);
                java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(sealed.length + 5);
                direct.put(sealed).flip();
                byte[] fromDirect = new byte[len + 3];
                assertEquals(len, aead.open(direct, fromDirect, 3, aad));
                assertArrayEquals(plain, Arrays.copyOfRange(fromDirect, 3, 3 + len), "direct, length " + len);
                assertThrows(AuthenticationException.class, () -> aead.open(direct, fromDirect, 3, other), "direct, other data, length " + len);
            }
            byte[] plainSealed = aead.seal(plain);
            assertThrows(AuthenticationException.class, () -> aead.open(plainSealed, 0, plainSealed.length, new byte[len], 0, aad),
                    "sealed without, length " + len);
        }
    }

    @Test
    void noncesAreFresh() {
        Set<String> nonces = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            byte[] s = aead.seal(new byte[1]);
            nonces.add(Arrays.toString(Arrays.copyOf(s, Aead.NONCE_LENGTH)));
        }
        assertEquals(10_000, nonces.size());
        assertNotEquals(Arrays.toString(aead.seal(new byte[4])), Arrays.toString(aead.seal(new byte[4])));
    }

    @Test
    void kdfIsDeterministicPerSaltAndParameters() {
        Argon2idParams p = Argon2idParams.parse("m=1024,t=1,p=1");
        byte[] a = Kdf.derive("pw".toCharArray(), new byte[16], p);
        assertArrayEquals(a, Kdf.derive("pw".toCharArray(), new byte[16], p));
        byte[] salt = new byte[16];
        salt[0] = 1;
        assertNotEquals(Arrays.toString(a), Arrays.toString(Kdf.derive("pw".toCharArray(), salt, p)));
        assertNotEquals(Arrays.toString(a), Arrays.toString(Kdf.derive("pw".toCharArray(), new byte[16], Argon2idParams.parse("m=2048,t=1,p=1"))));
        assertThrows(IllegalArgumentException.class, () -> Argon2idParams.parse("m=x"));
    }

    private static final String KDF_ASCII = "f86386289bc8a13125f754c2804d3202b984a30f34ada2e4c4e5cf71e35847d1";
    private static final String KDF_UNICODE = "3f026b66a330f79ae7da1f48f4a897c12208091471f1801a55e0825df5ddb029";
    private static final String KDF_SURROGATE = "f7b1268d514c1e7aef996e94afff5f02cfbbeba6b378fb9cc1e1597a3f71dff5";

    @Test
    void kdfKeepsItsOutputForExistingKeyFiles() {
        // Fixed outputs: key files written by earlier versions must keep opening (UTF-8 of the passphrase,
        // Argon2id v1.3). The non-ASCII one pins the encoding, the lone surrogate its replacement by '?'.
        Argon2idParams p = Argon2idParams.parse("m=256,t=2,p=2");
        byte[] salt = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(KDF_ASCII, java.util.HexFormat.of().formatHex(Kdf.derive("correct horse".toCharArray(), salt, p)));
        assertEquals(KDF_UNICODE, java.util.HexFormat.of().formatHex(Kdf.derive("pässwörd \u20ac".toCharArray(), salt, p)));
        assertEquals(KDF_SURROGATE, java.util.HexFormat.of().formatHex(Kdf.derive("a\ud800b".toCharArray(), salt, p)));
    }
}
