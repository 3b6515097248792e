package dev.lifeboat.repository;

import dev.lifeboat.chunking.FastCdc;
import dev.lifeboat.crypto.Aead;
import dev.lifeboat.crypto.Argon2idParams;
import dev.lifeboat.crypto.AuthenticationException;
import dev.lifeboat.crypto.KeyedHash;
import dev.lifeboat.crypto.MasterKey;
import dev.lifeboat.storage.CachingStorage;
import dev.lifeboat.storage.ObjectInfo;
import dev.lifeboat.storage.Storage;
import dev.lifeboat.util.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An open repository: its storage, keys, configuration and blob index. The only place that knows
 * how objects are named and sealed; everything above works with ids, blobs and snapshots.
 */
public final class Repository implements AutoCloseable {
    public static final String CONFIG = "config";
    public static final String KEYS = "keys/";
    public static final String SNAPSHOTS = "snapshots/";
    public static final String INDEX = "index/";
    public static final String DATA = "data/";
    public static final String LOCKS = "locks/";

    /** Index entries gathered before an index file is written, so a killed backup loses little. */
    public static final int INDEX_FLUSH_BLOBS = 40_000;
    private static final int INDEX_FLUSH_PACKS = 32;

    private final Storage storage;
    /** The same storage, or a local cache in front of it for the objects every command reads. */
    private final Storage metadata;
    private final RepoConfig config;
    private final MasterKey masterKey;
    private final String keyName;
    private final Aead aead;
    private final KeyedHash keyedHash;
    private final ObjectCodec codec;
    private final FastCdc cdc;
    private final BlobIndex index = new BlobIndex();
    private final Set<BlobId> inFlight = ConcurrentHashMap.newKeySet();
    private final IndexFile.Writer pendingIndex = new IndexFile.Writer();
    private boolean indexLoaded;

    private Repository(Storage storage, Storage metadata, RepoConfig config, MasterKey masterKey, String keyName) {
        this.storage = storage;
        this.metadata = metadata;
        this.config = config;
        this.masterKey = masterKey;
        this.keyName = keyName;
        this.aead = new Aead(masterKey.encryption());
        this.keyedHash = new KeyedHash(config.idKeyBytes());
        this.codec = new ObjectCodec(aead, Math.max(1, Math.min(config.compressionLevel(), 19)));
        this.cdc = new FastCdc(config.chunker(), config.chunkerSeedBytes());
    }

    /** Creates a repository in empty storage. */
    public static Repository init(Storage storage, char[] passphrase, RepoConfig config, Argon2idParams kdf,
                                  String host, String user) throws IOException {
        if (storage.size(CONFIG) >= 0) {
            throw new RepositoryException("a repository already exists at " + storage.location());
        }
        MasterKey master = MasterKey.random();
        KeyFile key = KeyFile.create(master, passphrase, kdf, host, user);
        byte[] keyBytes = key.toBytes();
        String keyName = KEYS + sha256Hex(keyBytes);
        storage.save(keyName, keyBytes);
        Aead aead = new Aead(master.encryption());
        storage.save(CONFIG, new ObjectCodec(aead, 3).encode(Json.write(config)));
        Storage plain = storage instanceof CachingStorage c ? c.backend() : storage;
        return new Repository(plain, storage, config, master, keyName);
    }

    /**
     * Opens with a passphrase, trying every key file. Given a {@link CachingStorage}, the repository
     * reads its metadata (key files, index files, snapshots and tree packs) through that cache and
     * everything else straight from the cache's backend, which is also what {@link #storage()} returns.
     */
    public static Repository open(Storage given, char[] passphrase) throws IOException {
        Storage storage = given instanceof CachingStorage c ? c.backend() : given;
        Unlock.Unlocked key = Unlock.withPassphrase(storage, given, passphrase);
        return new Repository(storage, given, loadConfig(storage, key.master()), key.master(), key.keyName());
    }

    private static RepoConfig loadConfig(Storage storage, MasterKey master) throws IOException {
        byte[] plain = new ObjectCodec(new Aead(master.encryption()), 3).decode(storage.load(CONFIG), CONFIG);
        RepoConfig c;
        try {
            c = Json.read(plain, RepoConfig.class);
        } catch (IOException e) {
            throw new CorruptObjectException(CONFIG, "is not a valid repository config");
        }
        if (c.version() != RepoConfig.VERSION) {
            throw new RepositoryException("repository format version " + c.version() + " is not supported by this Lifeboat");
        }
        return c;
    }

    public Storage storage() {
        return storage;
    }

    public RepoConfig config() {
        return config;
    }

    public MasterKey masterKey() {
        return masterKey;
    }

    public String keyName() {
        return keyName;
    }

    public Aead aead() {
        return aead;
    }

    public FastCdc chunker() {
        return cdc;
    }

    public BlobIndex index() {
        return index;
    }

    public BlobId blobId(byte[] data, int off, int len) {
        return BlobId.of(keyedHash.hash(data, off, len));
    }

    public static String packName(BlobId pack) {
        String hex = pack.hex();
        return DATA + hex.substring(0, 2) + "/" + hex;
    }

    public static BlobId idOfName(String name) {
        return BlobId.parse(name.substring(name.lastIndexOf('/') + 1));
    }

    // ---- objects: snapshots, index files -------------------------------------------------------

    /** Seals and stores a whole object under dir/&lt;sha256 of stored bytes&gt;; returns the id. */
    public BlobId saveObject(String dir, byte[] plain) throws IOException {
        byte[] sealed = codec.encode(plain);
        BlobId id = BlobId.of(sha256(sealed));
        via(dir).save(dir + id.hex(), sealed);
        return id;
    }

    /**
     * Seals and stores an object under a name chosen by the caller (WAL, whose names say what
     * they hold). Such objects must carry their own name inside, so a renamed object is detected.
     */
    public void saveNamedObject(String name, byte[] plain) throws IOException {
        storage.save(name, codec.encode(plain));
    }

    /** As {@link #saveNamedObject(String, byte[])}, compressed at another zstd level than the repository's. */
    public void saveNamedObject(String name, byte[] plain, int compressionLevel) throws IOException {
        storage.save(name, new ObjectCodec(aead, Math.max(1, Math.min(compressionLevel, 19))).encode(plain));
    }

    /** Opens an object stored by {@link #saveNamedObject}; authentication is its integrity check. */
    public byte[] loadNamedObject(String name) throws IOException {
        return codec.decode(storage.load(name), name);
    }

    public byte[] loadObject(String name) throws IOException {
        byte[] sealed = via(name).load(name);
        if (!name.equals(CONFIG) && !name.startsWith(LOCKS)) {
            String expected = name.substring(name.lastIndexOf('/') + 1);
            if (!sha256Hex(sealed).equals(expected)) {
                throw new CorruptObjectException(name, "does not match its name (content changed or truncated)");
            }
        }
        return codec.decode(sealed, name);
    }

    public List<ObjectInfo> list(String dir) throws IOException {
        return via(dir).list(dir);
    }

    /** Index files and snapshots are what every command reads: they go through the metadata cache. */
    private Storage via(String name) {
        return name.startsWith(INDEX) || name.startsWith(SNAPSHOTS) ? metadata : storage;
    }

    // ---- index ---------------------------------------------------------------------------------

    /** Index files read ahead, not yet checked against the repository's listing. */
    private CompletableFuture<Set<String>> preload;

    /**
     * Starts reading the index files on a background thread, for a command that calls
     * {@link #loadIndex} next: the reading overlaps taking the lock and finding the snapshot. With a
     * metadata cache the cached files are read; without one the repository's own. Nothing is trusted
     * before {@link #loadIndex} compares it with the repository's listing, after the lock is held.
     * Returns this.
     */
    public Repository preloadIndex() {
        if (indexLoaded || preload != null) {
            return this;
        }
        CachingStorage cache = metadata instanceof CachingStorage c ? c : null;
        List<String> cached = cache == null ? null : cache.cachedNames(INDEX);
        if (cached != null && cached.isEmpty()) {
            return this;
        }
        preload = CompletableFuture.supplyAsync(() -> {
            Set<String> loaded = new HashSet<>();
            List<String> names = cached;
            if (names == null) {
                try {
                    names = metadata.list(INDEX).stream().map(ObjectInfo::name).toList();
                } catch (IOException | RuntimeException e) {
                    return loaded; // loadIndex lists again and reports what is wrong
                }
            }
            for (String name : names) {
                try {
                    byte[] plain = cache == null ? loadObject(name) : decodeCached(cache, name);
                    if (plain != null) {
                        IndexFile.addTo(index, plain, name);
                        loaded.add(name);
                    }
                } catch (IOException | RuntimeException e) {
                    // not added (addTo checks a file whole first); loadIndex reads it from the repository
                }
            }
            return loaded;
        }, r -> dev.lifeboat.util.Workers.startDaemon("index-preload", r));
        return this;
    }

    private byte[] decodeCached(CachingStorage cache, String name) throws IOException {
        byte[] sealed = cache.cached(name);
        return sealed == null ? null : codec.decode(sealed, name);
    }

    /** Loads every index file into the in-memory table; call once before backup or restore. */
    public synchronized void loadIndex() throws IOException {
        if (indexLoaded) {
            return;
        }
        Set<String> loaded = Set.of();
        if (preload != null) {
            try {
                loaded = preload.join();
            } catch (CompletionException e) {
                index.clear(); // a partial read ahead: start from nothing
            }
            preload = null;
        }
        List<ObjectInfo> listed = metadata.list(INDEX);
        Set<String> names = new HashSet<>();
        for (ObjectInfo info : listed) {
            names.add(info.name());
        }
        if (!names.containsAll(loaded)) {
            // an index file read ahead is gone: a prune replaced it, so its packs may be gone too
            index.clear();
            loaded = Set.of();
        }
        for (ObjectInfo info : listed) {
            if (!loaded.contains(info.name())) {
                IndexFile.addTo(index, loadObject(info.name()), info.name());
            }
        }
        indexLoaded = true;
        if (metadata instanceof CachingStorage cache) {
            cache.retain(DATA, name -> index.hasPack(idOfName(name))); // tree packs that prune removed
        }
    }

    public List<IndexFile.PackBlobs> readIndexFile(String name) throws IOException {
        return IndexFile.decode(loadObject(name), name);
    }

    boolean reserve(BlobId id) {
        return !index.contains(id) && inFlight.add(id);
    }

    void release(BlobId id) {
        inFlight.remove(id);
    }

    /** True when the blob is stored or being stored by this process. */
    public boolean hasBlob(BlobId id) {
        return index.contains(id) || inFlight.contains(id);
    }

    public BlobWriter newBlobWriter() {
        return new BlobWriter(this, config.compressionLevel());
    }

    /** A writer compressing at another zstd level than the repository's default. */
    public BlobWriter newBlobWriter(int compressionLevel) {
        return new BlobWriter(this, compressionLevel);
    }

    /** Packs being uploaded by the background uploader, and the first upload that failed. */
    private int uploading;
    private IOException uploadFailure;
    private java.util.concurrent.ExecutorService uploader;
    private static final int UPLOADS_IN_FLIGHT = 4;

    /**
     * Seals a full pack and uploads it on a background thread, so the writer goes on chunking
     * and compressing meanwhile (on object storage an upload takes as long as filling a pack).
     * At most {@value #UPLOADS_IN_FLIGHT} packs are in flight; a failed upload is reported by the
     * next commit and by {@link #awaitUploads}, and its blobs are never indexed.
     */
    void commitPackInBackground(PackWriter writer) throws IOException {
        synchronized (this) {
            while (uploading >= UPLOADS_IN_FLIGHT && uploadFailure == null) {
                waitForUploads();
            }
            if (uploadFailure != null) {
                writer.abandon();
                throw uploadFailure;
            }
            uploading++;
            if (uploader == null) {
                uploader = java.util.concurrent.Executors.newFixedThreadPool(UPLOADS_IN_FLIGHT,
                        dev.lifeboat.util.Workers.daemons("pack-upload"));
            }
        }
        uploader.execute(() -> {
            IOException failed = null;
            try {
                commitPack(writer);
            } catch (IOException e) {
                failed = e;
            } catch (RuntimeException e) {
                failed = new IOException(e.getMessage(), e);
            }
            synchronized (this) {
                if (failed != null && uploadFailure == null) {
                    uploadFailure = failed;
                }
                uploading--;
                notifyAll();
            }
        });
    }

    /** Returns when every pack handed to the background uploader is stored; throws the first upload failure. */
    public synchronized void awaitUploads() throws IOException {
        while (uploading > 0) {
            waitForUploads();
        }
        if (uploadFailure != null) {
            throw uploadFailure;
        }
    }

    private void waitForUploads() throws java.io.InterruptedIOException {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while packs were uploading");
        }
    }

    void commitPack(PackWriter writer) throws IOException {
        PackWriter.Finished f;
        try {
            f = writer.finish(aead);
        } catch (IOException | RuntimeException e) {
            writer.abandon();
            throw e;
        }
        try {
            // tree packs are kept in the metadata cache: the next backup walks them as its parent
            (holdsTrees(f.entries()) ? metadata : storage).saveFile(packName(f.id()), f.file());
        } finally {
            Files.deleteIfExists(f.file()); // a backend that copies leaves the staging file behind
        }
        synchronized (this) {
            for (PackEntry e : f.entries()) {
                index.add(e);
                inFlight.remove(e.id());
            }
            pendingIndex.add(f.id(), f.size(), f.entries());
            if (pendingIndex.blobs() >= INDEX_FLUSH_BLOBS || pendingIndex.packs() >= INDEX_FLUSH_PACKS) {
                writePendingIndex(); // not flushIndex: this may run on an uploader thread, which must not wait for itself
            }
        }
    }

    /** Packs stored by this process since the last index file was written. */
    public synchronized List<IndexFile.PackBlobs> takePendingIndex() throws IOException {
        awaitUploads();
        if (pendingIndex.isEmpty()) {
            return List.of();
        }
        List<IndexFile.PackBlobs> out = IndexFile.decode(pendingIndex.bytes(), "the pending index");
        pendingIndex.clear();
        return out;
    }

    /** Writes index files covering the given packs, split like a backup splits them. */
    public void saveIndex(List<IndexFile.PackBlobs> packs) throws IOException {
        List<IndexFile.PackBlobs> batch = new ArrayList<>();
        int blobs = 0;
        for (IndexFile.PackBlobs p : packs) {
            batch.add(p);
            blobs += p.blobs().size();
            if (blobs >= INDEX_FLUSH_BLOBS) {
                saveObject(INDEX, IndexFile.encode(batch));
                batch.clear();
                blobs = 0;
            }
        }
        if (!batch.isEmpty()) {
            saveObject(INDEX, IndexFile.encode(batch));
        }
    }

    /** Writes an index file for the packs stored since the last one. */
    public synchronized void flushIndex() throws IOException {
        awaitUploads();
        writePendingIndex();
    }

    /** Writes an index file for the packs registered so far (all of them stored). */
    private synchronized void writePendingIndex() throws IOException {
        if (pendingIndex.isEmpty()) {
            return;
        }
        saveObject(INDEX, pendingIndex.bytes());
        pendingIndex.clear();
    }

    // ---- blobs ---------------------------------------------------------------------------------

    /** Loads, authenticates and decompresses one blob, checked as a restore checks it ({@link #openBlob}). */
    public byte[] loadBlob(BlobId id) throws IOException {
        return load(id, null, false).data();
    }

    /** As {@link #loadBlob(BlobId)}, with the id recomputed from the plaintext as {@link #verifyBlob} does. */
    public byte[] loadVerifiedBlob(BlobId id) throws IOException {
        return load(id, null, true).data();
    }

    /** A blob in a buffer that may be longer: its bytes are data[0, length). */
    public record Loaded(byte[] data, int length) {
    }

    private final ThreadLocal<byte[]> sealedScratch = ThreadLocal.withInitial(() -> new byte[0]);
    private final ThreadLocal<java.nio.ByteBuffer> directSealed = new ThreadLocal<>();

    /** This thread's direct buffer for a sealed blob of n bytes, grown as {@link #grown} grows arrays. */
    private java.nio.ByteBuffer directScratch(int n) {
        java.nio.ByteBuffer b = directSealed.get();
        if (b == null || b.capacity() < n) {
            b = java.nio.ByteBuffer.allocateDirect(grown(n));
            directSealed.set(b);
        }
        return b;
    }

    /**
     * As {@link #loadBlob(BlobId)}, into reuse when it is large enough: a stream of blobs (a restore
     * feeding pg_restore) then allocates nothing per blob once its buffers have grown.
     */
    public Loaded loadBlob(BlobId id, byte[] reuse) throws IOException {
        return load(id, reuse, false);
    }

    private Loaded load(BlobId id, byte[] reuse, boolean rehash) throws IOException {
        PackEntry e = index.get(id);
        if (e == null) {
            throw new RepositoryException("blob " + id.shortHex() + " is not in the index (repository damaged; run \"lifeboat check\")");
        }
        byte[] out = reuse != null && reuse.length >= e.rawLength() ? reuse : new byte[e.rawLength()];
        if (e.type() == BlobType.TREE && storage.remote()) {
            byte[] pack = treePack(e.pack());
            if (e.offset() + e.length() > pack.length) {
                throw new CorruptObjectException(packName(e.pack()), "is shorter than the index says (truncated)");
            }
            open(e, pack, (int) e.offset(), payloadBuffer(e, out), out, rehash || !e.idBound());
        } else if (e.length() > Aead.LARGE) {
            java.nio.ByteBuffer sealed = directScratch(e.length());
            storage.read(packName(e.pack()), e.offset(), e.length(), sealed);
            open(e, sealed, payloadBuffer(e, out), out, rehash || !e.idBound());
        } else {
            byte[] scratch = sealedScratch.get();
            if (scratch.length < e.length()) {
                scratch = new byte[grown(e.length())];
                sealedScratch.set(scratch);
            }
            byte[] sealed = storage.load(packName(e.pack()), e.offset(), e.length(), scratch);
            open(e, sealed, 0, payloadBuffer(e, out), out, rehash || !e.idBound());
        }
        return new Loaded(out, e.rawLength());
    }

    /** Over object storage, tree packs are read whole (through the metadata cache when there is one) and kept
     *  (up to TREE_CACHE bytes): walking a snapshot touches thousands of trees, and one request per pack instead
     *  of per tree is what makes that fast there. From a local directory a tree is read like any blob: kept packs
     *  held a restore of the kernel tree 7 MiB of heap, for nothing. */
    private static final long TREE_CACHE = 64L << 20;
    private final java.util.LinkedHashMap<BlobId, byte[]> treePacks = new java.util.LinkedHashMap<>(16, 0.75f, true);
    private long treePackBytes;

    private synchronized byte[] treePack(BlobId pack) throws IOException {
        byte[] data = treePacks.get(pack);
        if (data == null) {
            data = metadata.load(packName(pack));
            treePacks.put(pack, data);
            treePackBytes += data.length;
            var it = treePacks.entrySet().iterator();
            while (treePackBytes > TREE_CACHE && treePacks.size() > 1 && it.hasNext()) {
                var eldest = it.next();
                if (eldest.getKey().equals(pack)) {
                    continue;
                }
                treePackBytes -= eldest.getValue().length;
                it.remove();
            }
        }
        return data;
    }

    private static boolean holdsTrees(List<PackEntry> entries) {
        return !entries.isEmpty() && entries.get(0).type() == BlobType.TREE;
    }

    /**
     * Decodes a sealed blob held in buf at off and recomputes its id from the plaintext, whatever its
     * flags: what {@code check --read-data}, prune and repair do to every blob they read, so that a
     * blob a faulty writer sealed under the wrong id is found too.
     */
    public byte[] verifyBlob(PackEntry e, byte[] buf, int off) throws IOException {
        byte[] out = new byte[e.rawLength()];
        open(e, buf, off, payloadBuffer(e, out), out, true);
        return out;
    }

    private final ThreadLocal<byte[]> openScratch = ThreadLocal.withInitial(() -> new byte[0]);

    /**
     * A scratch buffer's new size for n bytes: the next multiple of 256 KiB, so that a stream of
     * blobs of varied sizes regrows it a few times rather than at every larger blob (each time
     * leaving garbage as large as a blob).
     */
    private static int grown(int n) {
        int step = 256 * 1024;
        return n > Integer.MAX_VALUE - step ? n : (n + step - 1) / step * step;
    }
    private final ThreadLocal<com.github.luben.zstd.ZstdDecompressCtx> unzstd =
            ThreadLocal.withInitial(com.github.luben.zstd.ZstdDecompressCtx::new);

    /**
     * Authenticates and decompresses one blob into out[0, rawLength): the restore's per-blob path,
     * which allocates nothing once its per-thread buffers have grown. A blob sealed with its id as
     * associated data (every blob this version writes) is then exactly the blob the index names:
     * the AEAD tag covers the id, so a moved, swapped or altered blob does not authenticate.
     * Older blobs have their id recomputed from the plaintext, which hashing every byte costs
     * (a quarter of a database restore's CPU).
     */
    public void openBlob(PackEntry e, byte[] buf, int off, byte[] out) throws IOException {
        open(e, buf, off, payloadBuffer(e, out), out, !e.idBound());
    }

    /** Where a blob's stored form is decrypted to: out itself, unless it is compressed. */
    private byte[] payloadBuffer(PackEntry e, byte[] out) {
        if (!e.compressed()) {
            return out;
        }
        byte[] payload = openScratch.get();
        if (payload.length < e.length()) {
            payload = new byte[grown(e.length())];
            openScratch.set(payload);
        }
        return payload;
    }

    /**
     * Authenticates and verifies one blob like {@link #verifyBlob}, leaving its stored form decrypted in
     * payload: compressed when the entry says so, with the blob itself then in out. Returns the
     * payload's length. A copy re-seals the payload under its own key without compressing again.
     */
    public int openStored(PackEntry e, byte[] buf, int off, byte[] payload, byte[] out) throws IOException {
        return open(e, buf, off, payload, out, true);
    }

    private int open(PackEntry e, byte[] buf, int off, byte[] payload, byte[] out, boolean rehash) throws IOException {
        checkLengths(e, payload, out);
        int n;
        try {
            n = aead.open(buf, off, e.length(), payload, 0, associatedData(e));
        } catch (AuthenticationException x) {
            throw new CorruptObjectException(where(e), "does not authenticate");
        }
        return finish(e, payload, n, out, rehash);
    }

    /** As the array form, from the blob's sealed bytes in sealed[0, limit). */
    private int open(PackEntry e, java.nio.ByteBuffer sealed, byte[] payload, byte[] out, boolean rehash) throws IOException {
        checkLengths(e, payload, out);
        int n;
        try {
            n = aead.open(sealed, payload, 0, associatedData(e));
        } catch (AuthenticationException x) {
            throw new CorruptObjectException(where(e), "does not authenticate");
        }
        return finish(e, payload, n, out, rehash);
    }

    private static String where(PackEntry e) {
        return "blob " + e.id().shortHex() + " in " + packName(e.pack());
    }

    private static byte[] associatedData(PackEntry e) {
        return e.idBound() ? PackEntry.associatedData(e.type(), e.id()) : null;
    }

    private static void checkLengths(PackEntry e, byte[] payload, byte[] out) throws CorruptObjectException {
        int payloadLength = e.length() - Aead.OVERHEAD;
        if (payloadLength < 0 || out.length < e.rawLength() || payload.length < payloadLength) {
            throw new CorruptObjectException(where(e), "has an impossible length");
        }
    }

    /** Decompresses the decrypted payload[0, n) into out when it is compressed, and checks the result. */
    private int finish(PackEntry e, byte[] payload, int n, byte[] out, boolean rehash) throws CorruptObjectException {
        byte[] plain = payload;
        int plainLength = n;
        if (e.compressed()) {
            try {
                plainLength = unzstd.get().decompressByteArray(out, 0, e.rawLength(), payload, 0, n);
            } catch (RuntimeException x) {
                throw new CorruptObjectException(where(e), "does not decompress");
            }
            plain = out;
        }
        if (plainLength != e.rawLength()) {
            throw new CorruptObjectException(where(e), "is not as long as the index says");
        }
        if (rehash && !blobId(plain, 0, plainLength).equals(e.id())) {
            throw new CorruptObjectException(where(e), "does not match its id");
        }
        return n;
    }

    // ---- helpers -------------------------------------------------------------------------------

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256Hex(byte[] data) {
        return HexFormat.of().formatHex(sha256(data));
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            // A failed operation may close without flushing: let its uploads end before the storage goes.
            while (uploading > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (uploader != null) {
            uploader.shutdownNow();
        }
        CompletableFuture<Set<String>> reading = preload;
        if (reading != null) {
            reading.handle((r, e) -> r).join(); // a read ahead that was never used must not outlive the storage
        }
        storage.close();
    }
}
