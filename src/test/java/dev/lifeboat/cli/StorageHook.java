package dev.lifeboat.cli;

import dev.lifeboat.storage.RetryingStorage;
import dev.lifeboat.storage.Storage;

import java.util.function.Function;

/**
 * Lets tests outside this package put a wrapper (fault injection) between every CLI repository's
 * backend and its retry layer, via the package-private seam {@link Repos#wrapper}.
 */
public final class StorageHook {
    private StorageHook() {
    }

    /**
     * Installs wrapper (and a retry policy, or null for the default) until the returned handle is closed.
     * The CLI runs in-process one command at a time (see dev.lifeboat.testing.Cli), so a static is enough.
     */
    public static AutoCloseable install(Function<Storage, Storage> wrapper, RetryingStorage.Policy policy) {
        Repos.wrapper = wrapper;
        if (policy != null) {
            Repos.retryPolicy = policy;
        }
        return () -> {
            Repos.wrapper = Function.identity();
            Repos.retryPolicy = RetryingStorage.Policy.DEFAULT;
        };
    }
}
