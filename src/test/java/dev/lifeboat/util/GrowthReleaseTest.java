package dev.lifeboat.util;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GrowthReleaseTest {
    @Test
    void givesBackOnlyAfterTheWholeRunOfSmallInputsToAGrownBuffer() {
        GrowthRelease r = new GrowthRelease(3);
        assertFalse(r.giveBack(true, true));
        assertFalse(r.giveBack(true, true));
        assertFalse(r.giveBack(false, true), "a large input starts the run over");
        assertFalse(r.giveBack(true, true));
        assertFalse(r.giveBack(true, true));
        assertTrue(r.giveBack(true, true));
        assertFalse(r.giveBack(true, true), "counted afresh after giving back");
        assertFalse(r.giveBack(true, false), "a buffer that is not grown resets the run");
        assertFalse(r.giveBack(true, true));
        assertFalse(r.giveBack(true, true));
        assertTrue(r.giveBack(true, true));
    }
}
