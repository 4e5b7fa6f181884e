package io.fedistill.core.secagg;

import io.fedistill.core.identity.CredentialVerifier;
import io.fedistill.core.identity.Signatures;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.PublicKey;
import java.util.List;

/**
 * The statements participants sign in signed secure aggregation, labelled and laid out field by
 * field (strings and lists length-prefixed, keys of fixed length) so that no statement of one kind
 * reads as another, and the check of signed round keys.
 *
 * <p>Both statements are bound to one execution of the protocol: the keys statement to the round's
 * roster, neighbourhood and threshold, so that a server cannot show participants different rounds;
 * the survivors statement to the signer's fresh round keys, so that a signature gathered in one
 * execution cannot be replayed in another execution of the same round.
 */
final class SignedStatements {
    private static final String LABEL = "fedistill/secagg/v1";

    private SignedStatements() {}

    /**
     * Returns the key that verifies the signatures of the participant whose keys these are, after
     * checking its credential and its signature over the keys.
     *
     * @param where how the keys arrived, for the error: "forwarded to p2", "sent to the server"
     * @param round the round as the checker knows it
     * @param config the round's config as the checker knows it
     * @throws IllegalArgumentException if the keys are unsigned, the credential is not the
     *     participant's, or the signature does not verify (also when the participant signed them
     *     for a round with another roster, neighbourhood or threshold)
     */
    static PublicKey signerOf(
            AdvertisedKeys keys,
            CredentialVerifier verifier,
            String where,
            SecAggRound round,
            SecAggConfig config) {
        String id = keys.participantId();
        String what = "keys of " + id + " " + where + " in round " + keys.round();
        if (!keys.isSigned()) {
            throw new IllegalArgumentException(what + " are unsigned, but the round is signed");
        }
        PublicKey key;
        try {
            key = verifier.verifiedKey(id, keys.credential());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    what + " carry a credential that is not " + id + "'s: " + e.getMessage(), e);
        }
        if (!Signatures.verify(key, keysStatement(keys, round, config), keys.signature())) {
            throw new IllegalArgumentException(
                    what
                            + " carry a signature that does not verify under "
                            + id
                            + "'s credential for this round's roster, neighbourhood and"
                            + " threshold");
        }
        return key;
    }

    /**
     * The statement a participant signs when it advertises its round keys: the keys, and the round
     * they are for (its number, roster, neighbourhood and threshold).
     */
    static byte[] keysStatement(AdvertisedKeys keys, SecAggRound round, SecAggConfig config) {
        return statement(
                out -> {
                    out.writeUTF("keys");
                    out.writeInt(keys.round());
                    out.writeUTF(keys.participantId());
                    out.write(keys.encryptionKey());
                    out.write(keys.maskingKey());
                    writeIds(out, round.roster());
                    out.writeLong(round.neighbourhoodSeed());
                    out.writeInt(
                            config.neighbourhood() instanceof Neighbourhood.Harary harary
                                    ? harary.degree()
                                    : 0);
                    out.writeInt(config.threshold());
                    out.writeInt(config.vectorLength());
                });
    }

    /**
     * The statement a participant signs in the consistency check: who survived and who dropped, in
     * the execution of the round in which it advertised {@code signerKeys}.
     */
    static byte[] survivorsStatement(
            AdvertisedKeys signerKeys, List<String> survivors, List<String> dropped) {
        return statement(
                out -> {
                    out.writeUTF("survivors");
                    out.writeInt(signerKeys.round());
                    out.writeUTF(signerKeys.participantId());
                    out.write(signerKeys.encryptionKey());
                    out.write(signerKeys.maskingKey());
                    writeIds(out, survivors);
                    writeIds(out, dropped);
                });
    }

    private interface Fields {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] statement(Fields fields) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(LABEL);
            fields.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeIds(DataOutputStream out, List<String> ids) throws IOException {
        out.writeInt(ids.size());
        for (String id : ids) {
            out.writeUTF(id);
        }
    }
}
