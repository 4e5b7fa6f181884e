package io.fedistill.core.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MaskExpanderTest {
    private static int[] expand(byte[] seed, int length) {
        int[] mask = new int[length];
        MaskExpander.addMask(mask, seed);
        return mask;
    }

    @Test
    void expandsTheAes256CtrKeystreamAsBigEndianWords() {
        // FIPS-197 style known answer: AES-256 of the zero block under the zero key
        int[] mask = expand(new byte[32], 4);

        assertThat(mask).containsExactly(0xdc95c078, 0xa2408989, 0xad48a214, 0x92842087);
    }

    @Test
    void longMasksContinueTheKeystreamAcrossChunks() {
        byte[] seed = new byte[32];
        seed[0] = 7;
        int[] whole = expand(seed, 10_000);

        assertThat(expand(seed, 4097)).containsExactly(Arrays.copyOf(whole, 4097));
        assertThat(whole).doesNotHaveDuplicates();
    }

    @Test
    void subtractingTheMaskRestoresTheVectorModulo2To32() {
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) 3);
        int[] vector = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE};
        int[] masked = vector.clone();

        MaskExpander.addMask(masked, seed);
        int[] unmasked = masked.clone();
        MaskExpander.subtractMask(unmasked, seed);

        int[] mask = expand(seed, vector.length);
        for (int i = 0; i < vector.length; i++) {
            assertThat(masked[i]).isEqualTo(vector[i] + mask[i]);
        }
        assertThat(unmasked).containsExactly(vector);
    }

    @Test
    void refusesASeedOfTheWrongLength() {
        assertThatThrownBy(() -> expand(new byte[16], 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mask seed must be 32 bytes, got 16");
    }
}
