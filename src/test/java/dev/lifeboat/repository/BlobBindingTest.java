package dev.lifeboat.repository;

import dev.lifeboat.chunking.ChunkerParams;
import dev.lifeboat.crypto.Argon2idParams;
import dev.lifeboat.storage.local.LocalStorage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blobs are sealed with their type and id as associated data, so the AEAD tag proves a blob is the one
 * the index names; restores rely on that instead of hashing every byte again, and check --read-data
 * still hashes. Blobs sealed before the binding keep having their ids recomputed.
 */
class BlobBindingTest {
    @TempDir
    Path tmp;
    Repository repo;
    final Random r = new Random(5);

    @BeforeEach
    void setUp() throws Exception {
        repo = Repository.init(LocalStorage.create(tmp.resolve("repo")), "pw".toCharArray(),
                RepoConfig.create(ChunkerParams.DEFAULT, 3, 4 << 20), Argon2idParams.parse("m=1024,t=1,p=1"), "h", "u");
    }

    @org.junit.jupiter.api.AfterEach
    void tearDown() throws Exception {
        repo.close();
    }

    private byte[] noise(int len) {
        byte[] b = new byte[len];
        r.nextBytes(b);
        return b;
    }

    private byte[] pack(PackEntry e) throws Exception {
        return repo.storage().load(Repository.packName(e.pack()));
    }

    @Test
    void aBlobReadUnderAnotherIdDoesNotAuthenticate() throws Exception {
        byte[] a = noise(5000);
        byte[] b = noise(5000);
        BlobId idA = repo.blobId(a, 0, a.length);
        BlobId idB = repo.blobId(b, 0, b.length);
        try (BlobWriter w = repo.newBlobWriter()) {
            w.store(idA, BlobType.DATA, a, 0, a.length);
            w.store(idB, BlobType.DATA, b, 0, b.length);
            w.flush();
        }
        PackEntry ea = repo.index().get(idA);
        PackEntry eb = repo.index().get(idB);
        assertTrue(ea.idBound() && eb.idBound());
        byte[] pack = pack(ea);
        byte[] out = new byte[a.length];
        repo.openBlob(ea, pack, (int) ea.offset(), out);
        assertArrayEquals(a, out);
        // An index (or pack header) that swaps the two blobs' places: same lengths, intact bytes.
        PackEntry swapped = new PackEntry(idA, BlobType.DATA, eb.pack(), eb.offset(), eb.length(), eb.rawLength(), eb.flags());
        CorruptObjectException e = assertThrows(CorruptObjectException.class,
                () -> repo.openBlob(swapped, pack, (int) swapped.offset(), out));
        assertTrue(e.getMessage().contains("does not authenticate"), e.getMessage());
        // The type is bound too: a data blob cannot be read as a tree.
        PackEntry asTree = new PackEntry(idA, BlobType.TREE, ea.pack(), ea.offset(), ea.length(), ea.rawLength(), ea.flags());
        assertThrows(CorruptObjectException.class, () -> repo.openBlob(asTree, pack, (int) asTree.offset(), out));
    }

    @Test
    void aBlobAWriterSealedUnderTheWrongIdIsFoundByVerifying() throws Exception {
        byte[] a = noise(3000);
        byte[] b = noise(3000);
        BlobId idA = repo.blobId(a, 0, a.length);
        try (BlobWriter w = repo.newBlobWriter()) {
            w.store(idA, BlobType.DATA, b, 0, b.length); // a faulty writer: b's bytes under a's id
            w.flush();
        }
        PackEntry e = repo.index().get(idA);
        byte[] pack = pack(e);
        // The tag vouches only for what the writer sealed; reading for a restore cannot tell.
        assertArrayEquals(b, repo.loadBlob(idA));
        CorruptObjectException x = assertThrows(CorruptObjectException.class, () -> repo.verifyBlob(e, pack, (int) e.offset()));
        assertTrue(x.getMessage().contains("does not match its id"), x.getMessage());
    }

    @Test
    void blobsSealedWithoutTheBindingStillOpenAndHaveTheirIdsRecomputed() throws Exception {
        byte[] a = noise(4000);
        byte[] b = noise(4000);
        BlobId idA = repo.blobId(a, 0, a.length);
        BlobId idB = repo.blobId(b, 0, b.length);
        PackWriter w = new PackWriter(repo.storage().stagingDir());
        byte[] sealedA = repo.aead().seal(a);
        byte[] sealedB = repo.aead().seal(b);
        w.add(idA, BlobType.DATA, sealedA, 0, sealedA.length, a.length, 0);
        // Under the old format a moved blob authenticates; only its id gives it away.
        BlobId wrong = BlobId.of(new byte[32]);
        w.add(wrong, BlobType.DATA, sealedB, 0, sealedB.length, b.length, 0);
        repo.commitPack(w);
        repo.flushIndex();
        assertFalse(repo.index().get(idA).idBound());
        assertArrayEquals(a, repo.loadBlob(idA));
        CorruptObjectException x = assertThrows(CorruptObjectException.class, () -> repo.loadBlob(wrong));
        assertTrue(x.getMessage().contains("does not match its id"), x.getMessage());
        assertEquals(false, repo.index().contains(idB));
    }

    @Test
    void flagsThisVersionDoesNotKnowAreRefused() throws Exception {
        byte[] a = noise(100);
        BlobId id = repo.blobId(a, 0, a.length);
        PackWriter w = new PackWriter(repo.storage().stagingDir());
        byte[] sealed = repo.aead().seal(a);
        w.add(id, BlobType.DATA, sealed, 0, sealed.length, a.length, 4);
        PackWriter.Finished f = w.finish(repo.aead());
        byte[] pack = java.nio.file.Files.readAllBytes(f.file());
        CorruptObjectException x = assertThrows(CorruptObjectException.class,
                () -> PackReader.header(pack, f.id(), repo.aead()));
        assertTrue(x.getMessage().contains("flags this version does not know"), x.getMessage());
        w.abandon();
    }
}
