package io.fedistill.core.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.secagg.KeyExchange.Purpose;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;

class KeyExchangeTest {
    private static final HexFormat HEX = HexFormat.of();

    // RFC 7748, section 6.1
    private static final byte[] ALICE_PRIVATE =
            HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static final byte[] ALICE_PUBLIC =
            HEX.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    private static final byte[] BOB_PUBLIC =
            HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    private static final byte[] SHARED_SECRET =
            HEX.parseHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

    @Test
    void agreesOnTheRfc7748SharedSecretFromRawKeys() {
        PrivateKey alice = KeyExchange.decodePrivateKey(ALICE_PRIVATE);

        assertThat(KeyExchange.agree(alice, KeyExchange.decodePublicKey(BOB_PUBLIC)))
                .isEqualTo(SHARED_SECRET);
        assertThat(KeyExchange.encodePrivateKey(alice)).isEqualTo(ALICE_PRIVATE);
        assertThat(KeyExchange.encodePublicKey(KeyExchange.decodePublicKey(ALICE_PUBLIC)))
                .isEqualTo(ALICE_PUBLIC);
    }

    @Test
    void derivesTheRfc5869KeyForAnEmptySaltAndInfo() {
        // RFC 5869, test case 3: salt and info empty, 42 output bytes
        byte[] inputKey = new byte[22];
        Arrays.fill(inputKey, (byte) 0x0b);
        String first32 = "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d";

        assertThat(KeyExchange.hkdf(inputKey, new byte[0], 32)).isEqualTo(HEX.parseHex(first32));
        assertThat(KeyExchange.hkdf(inputKey, new byte[0], 42))
                .isEqualTo(HEX.parseHex(first32 + "9d201395faa4b61a96c8"));
    }

    @Test
    void bothSidesDerivePairwiseKeysThatDifferByPurposeAndRound() {
        KeyPair u = KeyExchange.generateKeyPair(SecAggFederation.seeded(1));
        KeyPair v = KeyExchange.generateKeyPair(SecAggFederation.seeded(2));

        byte[] fromU =
                KeyExchange.pairwiseKey(
                        Purpose.MASKING, u.getPrivate(), v.getPublic(), 3, "u", "v");
        byte[] fromV =
                KeyExchange.pairwiseKey(
                        Purpose.MASKING, v.getPrivate(), u.getPublic(), 3, "u", "v");

        assertThat(fromU).hasSize(32).isEqualTo(fromV);
        assertThat(
                        KeyExchange.pairwiseKey(
                                Purpose.ENCRYPTION, u.getPrivate(), v.getPublic(), 3, "u", "v"))
                .isNotEqualTo(fromU);
        assertThat(
                        KeyExchange.pairwiseKey(
                                Purpose.MASKING, u.getPrivate(), v.getPublic(), 4, "u", "v"))
                .isNotEqualTo(fromU);
    }

    @Test
    void sealedMessagesOpenOnlyUnderTheSameKeyNonceAndContext() throws Exception {
        byte[] key = new byte[32];
        byte[] nonce = new byte[12];
        byte[] plaintext = "two shares".getBytes(StandardCharsets.UTF_8);
        byte[] context = KeyExchange.sharesContext(1, "u", "v");

        byte[] ciphertext = KeyExchange.seal(key, nonce, plaintext, context);

        assertThat(ciphertext).hasSize(plaintext.length + 16);
        assertThat(KeyExchange.open(key, nonce, ciphertext, context)).isEqualTo(plaintext);
        assertThatThrownBy(
                        () ->
                                KeyExchange.open(
                                        key,
                                        nonce,
                                        ciphertext,
                                        KeyExchange.sharesContext(1, "v", "u")))
                .isInstanceOf(AEADBadTagException.class);
        ciphertext[0] ^= 1;
        assertThatThrownBy(() -> KeyExchange.open(key, nonce, ciphertext, context))
                .isInstanceOf(AEADBadTagException.class);
    }

    @Test
    void refusesALowOrderPublicKey() {
        PrivateKey alice = KeyExchange.decodePrivateKey(ALICE_PRIVATE);
        PublicKey zero = KeyExchange.decodePublicKey(new byte[32]);

        assertThatThrownBy(() -> KeyExchange.agree(alice, zero))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("X25519 agreement refused the public key");
    }
}
