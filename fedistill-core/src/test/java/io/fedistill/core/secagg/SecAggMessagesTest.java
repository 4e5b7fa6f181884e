package io.fedistill.core.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.secagg.RevealedShare.Secret;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecAggMessagesTest {
    @Test
    void revealedShareKeepsItsValueOutOfToString() {
        byte[] value = new byte[66];
        Arrays.fill(value, (byte) 0xab);

        assertThat(new RevealedShare("p2", Secret.MASKING_KEY, value).toString())
                .isEqualTo("RevealedShare[owner=p2, secret=MASKING_KEY, share=<hidden>]");
    }

    @Test
    void messagesWithBytesShowOnlyTheirSizeOrPublicKeys() {
        byte[] key = new byte[32];
        key[0] = 0x0f;

        assertThat(new AdvertisedKeys(1, "p1", key, new byte[32]).toString())
                .isEqualTo(
                        "AdvertisedKeys[round=1, participantId=p1, encryptionKey=0f"
                                + "00".repeat(31)
                                + ", maskingKey="
                                + "00".repeat(32)
                                + ", unsigned]");
        assertThat(new AdvertisedKeys(1, "p1", key, key, new byte[91], new byte[70]).toString())
                .endsWith(", signed with a 91-byte credential]");
        assertThat(new SurvivorSignature(1, "p1", new byte[70]).toString())
                .isEqualTo("SurvivorSignature[round=1, signer=p1, signature=70 bytes]");
        assertThat(new EncryptedShares(1, "p1", "p2", new byte[12], new byte[149]).toString())
                .isEqualTo(
                        "EncryptedShares[round=1, sender=p1, recipient=p2, ciphertext=149 bytes]");
        assertThat(new MaskedVector(1, "p1", new int[5]).toString())
                .isEqualTo("MaskedVector[round=1, sender=p1, vector=5 values]");
        assertThat(new SecAggResult(new int[3], List.of("p1", "p2")).toString())
                .isEqualTo("SecAggResult[sum=3 values, contributors=[p1, p2]]");
    }

    @Test
    void messagesCopyTheirArraysInAndOut() {
        byte[] key = new byte[32];
        AdvertisedKeys keys = new AdvertisedKeys(1, "p1", key, key);
        key[0] = 1;
        keys.maskingKey()[1] = 1;
        int[] vector = {1, 2};
        MaskedVector masked = new MaskedVector(1, "p1", vector);
        vector[0] = 9;
        masked.vector()[1] = 9;

        assertThat(keys.encryptionKey()).isEqualTo(new byte[32]);
        assertThat(keys.maskingKey()).isEqualTo(new byte[32]);
        assertThat(masked.vector()).containsExactly(1, 2);
    }

    @Test
    void messagesCompareTheirArraysByContent() {
        assertThat(new AdvertisedKeys(1, "p1", new byte[32], new byte[32]))
                .isEqualTo(new AdvertisedKeys(1, "p1", new byte[32], new byte[32]))
                .hasSameHashCodeAs(new AdvertisedKeys(1, "p1", new byte[32], new byte[32]));
        assertThat(new MaskedVector(1, "p1", new int[] {3}))
                .isEqualTo(new MaskedVector(1, "p1", new int[] {3}))
                .isNotEqualTo(new MaskedVector(1, "p1", new int[] {4}));
        assertThat(new SecAggResult(new int[] {3}, List.of("p1")))
                .isEqualTo(new SecAggResult(new int[] {3}, List.of("p1")));
    }

    @Test
    void messagesRefuseBytesOfTheWrongLength() {
        assertThatThrownBy(() -> new AdvertisedKeys(1, "p1", new byte[31], new byte[32]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("encryptionKey of participant p1 must be 32 bytes, got 31");
        assertThatThrownBy(() -> new EncryptedShares(1, "p1", "p2", new byte[16], new byte[1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nonce of the shares from p1 to p2 must be 12 bytes, got 16");
        assertThatThrownBy(() -> new RevealedShare("p1", Secret.SELF_MASK_SEED, new byte[32]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("share of p1's SELF_MASK_SEED must be 66 bytes, got 32");
    }

    @Test
    void bundleRefusesSharesOfAnotherSender() {
        EncryptedShares fromP2 = new EncryptedShares(1, "p2", "p3", new byte[12], new byte[1]);

        assertThatThrownBy(() -> new ShareBundle(1, "p1", List.of(fromP2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bundle of p1 for round 1 holds shares from p2 for round 1");
    }
}
