package dev.lifeboat.util;

/**
 * When to give back a buffer grown for large inputs. Large inputs come in clusters (a directory of
 * big headers, a database's tables): keeping a grown buffer through one saves reallocating it, and
 * giving it back after a long run of small inputs spares the rest of the command from carrying it.
 * Not thread-safe: one per buffer.
 */
public final class GrowthRelease {
    private final int after;
    private int smallInARow;

    /** Gives back after this many small inputs in a row. */
    public GrowthRelease(int after) {
        this.after = after;
    }

    /**
     * Records one input; returns true when the buffer should be given back now. small: the input
     * fitted the buffer's first size; grown: the buffer is larger than that.
     */
    public boolean giveBack(boolean small, boolean grown) {
        if (!small || !grown) {
            smallInARow = 0;
            return false;
        }
        if (++smallInARow < after) {
            return false;
        }
        smallInARow = 0;
        return true;
    }
}
