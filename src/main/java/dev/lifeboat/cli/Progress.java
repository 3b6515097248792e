package dev.lifeboat.cli;

import dev.lifeboat.restore.RestoreProgress;
import dev.lifeboat.source.files.BackupProgress;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/** Terminal progress bars (bytes, rate, ETA, files) for backup and restore. */
final class Progress {
    private Progress() {
    }

    private static ProgressBar bar(String task) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(-1).setUnit("MiB", 1 << 20)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed()
                .setMaxRenderedLength(120).continuousUpdate().build();
    }

    static BackupProgress backup(GlobalOptions g) {
        if (!Out.progressWanted(g)) {
            return new BackupProgress() {
                @Override
                public void warning(String message) {
                    Out.warn(message);
                }
            };
        }
        ProgressBar pb = bar("backup");
        AtomicLong files = new AtomicLong();
        return new BackupProgress() {
            volatile long totalFiles = -1;

            @Override
            public boolean wantsTotals() {
                return true;
            }

            @Override
            public void scanned(long f, long bytes) {
                totalFiles = f;
                pb.maxHint(bytes);
            }

            @Override
            public void fileDone(Path path, long bytes, boolean unchanged) {
                long n = files.incrementAndGet();
                if (unchanged) {
                    pb.stepBy(bytes);
                }
                pb.setExtraMessage(n + (totalFiles >= 0 ? "/" + totalFiles : "") + " files");
            }

            @Override
            public void bytesRead(long n) {
                pb.stepBy(n);
            }

            @Override
            public void warning(String message) {
                Out.warn(message);
            }

            @Override
            public void finished() {
                pb.close();
            }
        };
    }

    static RestoreProgress restore(GlobalOptions g) {
        if (!Out.progressWanted(g)) {
            return RestoreProgress.NONE;
        }
        ProgressBar pb = bar("restore");
        AtomicLong files = new AtomicLong();
        return new RestoreProgress() {
            long total;

            @Override
            public void planned(long f, long bytes) {
                total = f;
                pb.maxHint(bytes);
            }

            @Override
            public void bytesWritten(long n) {
                pb.stepBy(n);
            }

            @Override
            public void fileDone(long bytes) {
                long n = files.incrementAndGet();
                pb.setExtraMessage(total > 0 ? n + "/" + total + " files" : n + " files");
            }

            @Override
            public void finished() {
                pb.close();
            }
        };
    }
}
