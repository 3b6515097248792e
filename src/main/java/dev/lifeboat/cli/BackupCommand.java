package dev.lifeboat.cli;

import dev.lifeboat.repository.BlobId;
import dev.lifeboat.repository.ExitCodes;
import dev.lifeboat.repository.Hosts;
import dev.lifeboat.repository.Locks;
import dev.lifeboat.repository.RepoConfig;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryException;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotRef;
import dev.lifeboat.repository.Snapshots;
import dev.lifeboat.source.files.Excludes;
import dev.lifeboat.source.files.FileBackup;
import dev.lifeboat.source.files.StdinBackup;
import dev.lifeboat.chunking.ChunkerParams;
import dev.lifeboat.storage.Storage;
import dev.lifeboat.storage.local.LocalStorage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Back up files and directories (or standard input) into a new snapshot.",
                "Exit code 3: the snapshot was written but some files could not be read (listed as warnings)."})
final class BackupCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions g;

    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = "Files and directories to back up; or \"bucket s3:ENDPOINT/BUCKET[/PREFIX]\" to back up the objects of an S3 bucket.")
    List<String> args = new ArrayList<>();
    List<Path> paths = new ArrayList<>();

    @Option(names = "--tag", split = ",", description = "Tag the snapshot (repeatable, or comma-separated).")
    List<String> tags = new ArrayList<>();
    @Option(names = "--host", description = "Host name to record (default: this machine's).")
    String host;
    @Option(names = {"-e", "--exclude"}, description = "Exclude a glob pattern (repeatable).")
    List<String> excludes = new ArrayList<>();
    @Option(names = "--exclude-file", description = "Read exclude patterns from FILE (repeatable).")
    List<Path> excludeFiles = new ArrayList<>();
    @Option(names = "--exclude-if-present", paramLabel = "NAME", description = "Skip directories containing a file NAME.")
    List<String> markers = new ArrayList<>();
    @Option(names = {"-x", "--one-file-system"}, description = "Do not cross file system boundaries.")
    boolean oneFileSystem;
    @Option(names = "--stdin", description = "Back up standard input as one file.")
    boolean stdin;
    @Option(names = "--stdin-name", defaultValue = "stdin", description = "File name for --stdin (default: ${DEFAULT-VALUE}).")
    String stdinName;
    @Option(names = "--parent", description = "Snapshot to compare against (default: latest with the same host and paths).")
    String parent;
    @Option(names = "--force", description = "Read every file again, ignoring the parent snapshot.")
    boolean force;
    @Option(names = "--init", description = "Create the repository first if it does not exist.")
    boolean init;
    @Option(names = "--copy-to", paramLabel = "REPO",
            description = "When the backup is saved, copy it to REPO (a copy made with \"init --copy-of\"); repeatable.")
    List<String> copyTo = new ArrayList<>();
    @Option(names = "--copy-to-password-file", paramLabel = "FILE",
            description = "Passphrase of the --copy-to repositories (default: $LIFEBOAT_COPY_PASSWORD_FILE, $LIFEBOAT_COPY_PASSWORD, else prompt).")
    Path copyToPasswordFile;

    @Override
    public Integer call() throws Exception {
        if (!args.isEmpty() && args.get(0).equals("bucket") && args.size() == 2
                && dev.lifeboat.storage.s3.S3Location.isS3(args.get(1))) {
            return backupBucket(args.get(1));
        }
        paths = args.stream().map(Path::of).toList();
        if (stdin && !paths.isEmpty()) {
            throw new IllegalArgumentException("--stdin takes no PATH arguments");
        }
        if (!stdin && paths.isEmpty()) {
            throw new IllegalArgumentException("nothing to back up: give one or more PATHs, or --stdin");
        }
        if (stdinName.isEmpty() || stdinName.contains("/")) {
            throw new IllegalArgumentException("invalid --stdin-name \"" + stdinName + "\": a file name without '/'");
        }
        List<String> patterns = new ArrayList<>(excludes);
        for (Path f : excludeFiles) {
            patterns.addAll(Excludes.readPatternFile(f));
        }
        Excludes ex = new Excludes(patterns, markers);
        if (init) {
            initIfMissing();
        }
        try (Repository repo = Repos.openAndPreload(g); Locks.Held lock = Locks.acquire(repo, false, "backup")) {
            String hostName = host != null ? host : Hosts.hostname();
            FileBackup.Result result;
            if (stdin) {
                result = new StdinBackup(repo, stdinName, tags, hostName).run(System.in);
            } else {
                for (Path p : paths) {
                    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        throw new java.nio.file.NoSuchFileException(p.toString(), null, "backup source does not exist");
                    }
                }
                SnapshotRef parentRef = force ? null : findParent(repo, hostName);
                FileBackup.Options opts = new FileBackup.Options(paths, tags, hostName, ex, oneFileSystem, g.threads);
                result = new FileBackup(repo, opts, Progress.backup(g)).run(parentRef);
            }
            report(result);
            replicate(repo, result);
            return result.partial() ? ExitCodes.PARTIAL : ExitCodes.OK;
        }
    }

    private int backupBucket(String location) throws Exception {
        if (stdin) {
            throw new IllegalArgumentException("--stdin takes no PATH arguments");
        }
        if (init) {
            initIfMissing();
        }
        dev.lifeboat.storage.s3.S3Location src = dev.lifeboat.storage.s3.S3Location.parse(location);
        try (Repository repo = Repos.openAndPreload(g); Locks.Held lock = Locks.acquire(repo, false, "backup");
             software.amazon.awssdk.services.s3.S3Client client = dev.lifeboat.storage.s3.S3Storage.buildClient(src,
                     dev.lifeboat.storage.s3.S3Options.fromEnvironment(src))) {
            String hostName = host != null ? host : Hosts.hostname();
            SnapshotRef parentRef = force ? null : parent != null ? Snapshots.find(repo, parent)
                    : dev.lifeboat.source.bucket.BucketBackup.findParent(repo, src, hostName);
            FileBackup.Result result = new dev.lifeboat.source.bucket.BucketBackup(repo, client,
                    new dev.lifeboat.source.bucket.BucketBackup.Options(src, tags, hostName, Math.max(4, g.threads))).run(parentRef);
            report(result);
            replicate(repo, result);
            return result.partial() ? ExitCodes.PARTIAL : ExitCodes.OK;
        }
    }

    /** Copies the new snapshot to every --copy-to repository; the backup itself is already safe. */
    private void replicate(Repository repo, FileBackup.Result result) throws java.io.IOException {
        for (String location : copyTo) {
            try (Repository dst = Repos.open(location, () -> copyPassphrase(location))) {
                dev.lifeboat.copy.Copies.requireCopy(dst, location, repo, g.repoLocation());
                dev.lifeboat.copy.Copier.Result r;
                try (Locks.Held lock = Locks.acquire(dst, false, "copy")) {
                    r = new dev.lifeboat.copy.Copier(repo, dst).run(List.of(new SnapshotRef(result.id(), result.snapshot())));
                }
                Out.info(g, "copied to " + location + ": " + r.blobsCopied() + " blob(s), " + Sizes.human(r.bytesStored()) + " stored");
            } catch (java.io.IOException e) {
                throw new RepositoryException("snapshot " + result.id().shortHex() + " is saved, but copying it to "
                        + location + " failed: " + Main.message(e));
            }
        }
    }

    private char[] copyPassphrase(String location) throws java.io.IOException {
        if (copyToPasswordFile != null) {
            return Passwords.fromFile(copyToPasswordFile);
        }
        String file = System.getenv("LIFEBOAT_COPY_PASSWORD_FILE");
        if (file != null && !file.isEmpty()) {
            return Passwords.fromFile(Path.of(file));
        }
        String env = System.getenv("LIFEBOAT_COPY_PASSWORD");
        if (env != null && !env.isEmpty()) {
            return env.toCharArray();
        }
        return Passwords.prompt("Passphrase of " + location, false);
    }

    private void initIfMissing() throws Exception {
        boolean exists;
        Storage backend = Repos.backend(g.repoLocation());
        if (backend instanceof LocalStorage l) {
            exists = Files.exists(l.root().resolve(Repository.CONFIG));
        } else {
            try (Storage probe = Repos.wrap(backend)) {
                exists = probe.size(Repository.CONFIG) >= 0;
            }
        }
        if (exists) {
            return;
        }
        Storage storage = Repos.storageForInit(g.repoLocation());
        char[] pw = InitCommand.passphraseForInit(g);
        Repository.init(storage, pw, RepoConfig.create(ChunkerParams.DEFAULT, 3, RepoConfig.DEFAULT_PACK_SIZE),
                InitCommand.kdfFromEnv(), Hosts.hostname(), Hosts.username()).close();
        Out.info(g, "created repository at " + g.repoLocation());
    }

    private SnapshotRef findParent(Repository repo, String hostName) throws Exception {
        if (parent != null) {
            return Snapshots.find(repo, parent);
        }
        List<String> abs = paths.stream().map(p -> p.toAbsolutePath().normalize().toString()).sorted().toList();
        SnapshotRef best = null;
        for (SnapshotRef r : Snapshots.all(repo)) {
            Snapshot s = r.snapshot();
            if ("files".equals(s.kind()) && hostName.equals(s.hostname())
                    && s.paths().stream().sorted().toList().equals(abs)) {
                best = r;
            }
        }
        return best;
    }

    private void report(FileBackup.Result r) {
        Snapshot.Summary s = r.snapshot().summary();
        BlobId id = r.id();
        if (g.json) {
            Out.snapshotJson(id, s, null, null);
            return;
        }
        if (g.quiet) {
            return;
        }
        Duration d = Duration.between(s.start(), s.end());
        Out.line(String.format("Files:       %d new, %d changed, %d unmodified", s.filesNew(), s.filesChanged(), s.filesUnmodified()));
        Out.line(String.format("Dirs:        %d", s.dirs()));
        Out.line(String.format("Added:       %s stored (%d data blobs, %d tree blobs)", Sizes.human(s.bytesAdded()), s.dataBlobs(), s.treeBlobs()));
        Out.line(String.format("Processed:   %d files, %s read of %s in %.1f s", s.totalFiles(), Sizes.human(s.bytesProcessed()),
                Sizes.human(s.totalBytes()), d.toMillis() / 1000.0));
        if (!s.errors().isEmpty()) {
            Out.line("Skipped:     " + s.errors().size() + " unreadable (the snapshot lists them)");
        }
        Out.line("snapshot " + id.shortHex() + " saved");
    }
}
