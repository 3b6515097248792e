package dev.lifeboat.crypto;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Derives a 32-byte key from a passphrase with Argon2id (memory-hard). */
public final class Kdf {
    private Kdf() {
    }

    public static byte[] derive(char[] passphrase, byte[] salt, Argon2idParams params) {
        byte[] pw = utf8(passphrase);
        HeapGrowth growth = HeapGrowth.eager();
        try {
            return argon2id(pw, salt, params);
        } finally {
            Arrays.fill(pw, (byte) 0);
            growth.restore(); // after argon2id returned, so that its memory is garbage
        }
    }

    private static byte[] argon2id(byte[] pw, byte[] salt, Argon2idParams params) {
        return Argon2id.hash(pw, salt, params, 32);
    }

    /** The passphrase's UTF-8 bytes, without leaving a copy in an immutable String. */
    private static byte[] utf8(char[] passphrase) {
        ByteBuffer bb = StandardCharsets.UTF_8.encode(CharBuffer.wrap(passphrase));
        byte[] out = new byte[bb.remaining()];
        bb.get(out);
        if (bb.hasArray()) {
            Arrays.fill(bb.array(), (byte) 0);
        }
        return out;
    }

    /**
     * Argon2id's memory (one array since {@link Argon2id}; Bouncy Castle's tens of thousands of 1 KiB
     * blocks before) stays live to the end. A heap kept small (the launcher's free ratios) grew to
     * hold the blocks by a quarter at a time, each step a full collection: a fifth of the derivation's
     * time. Letting it grow in one step, then restoring the ratios and collecting, gives the memory
     * back at once rather than at the next full collection, which may not come in a short command
     * (without it, `snapshots` peaked 2 MiB higher in the same time).
     */
    private record HeapGrowth(HotSpotDiagnosticMXBean vm, String minFree, String maxFree) {
        static HeapGrowth eager() {
            try {
                HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
                HeapGrowth g = new HeapGrowth(vm, vm.getVMOption("MinHeapFreeRatio").getValue(),
                        vm.getVMOption("MaxHeapFreeRatio").getValue());
                vm.setVMOption("MaxHeapFreeRatio", "100");
                vm.setVMOption("MinHeapFreeRatio", "90");
                return g;
            } catch (RuntimeException e) {
                return new HeapGrowth(null, null, null); // not HotSpot, or the options are fixed: grow as usual
            }
        }

        void restore() {
            if (vm == null) {
                return;
            }
            try {
                vm.setVMOption("MinHeapFreeRatio", minFree);
                vm.setVMOption("MaxHeapFreeRatio", maxFree);
            } catch (RuntimeException e) {
                // left as they were set; only the heap's size is at stake
            }
            // the blocks are garbage now: collecting them here lets the heap shrink back at once
            System.gc();
        }
    }
}
