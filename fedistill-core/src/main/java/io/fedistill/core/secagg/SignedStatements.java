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
 * The statements participants sign in signed secure aggregation, each length-prefixed and labelled
 * so that no statement of one kind reads as another, and the check of signed round keys.
 */
final class SignedStatements {
    private static final String LABEL = "fedistill/secagg/v1";

    private SignedStatements() {}

    /**
     * Returns the key that verifies the signatures of the participant whose keys these are, after
     * checking its credential and its signature over the keys.
     *
     * @param where how the keys arrived, for the error: "forwarded to p2", "sent to the server"
     * @throws IllegalArgumentException if the keys are unsigned, the credential is not the
     *     participant's, or the signature does not verify
     */
    static PublicKey signerOf(AdvertisedKeys keys, CredentialVerifier verifier, String where) {
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
        if (!Signatures.verify(key, keysStatement(keys), keys.signature())) {
            throw new IllegalArgumentException(
                    what + " carry a signature that does not verify under " + id + "'s credential");
        }
        return key;
    }

    /** The statement a participant signs when it advertises its round keys. */
    static byte[] keysStatement(AdvertisedKeys keys) {
        return statement(
                out -> {
                    out.writeUTF("keys");
                    out.writeInt(keys.round());
                    out.writeUTF(keys.participantId());
                    out.write(keys.encryptionKey());
                    out.write(keys.maskingKey());
                });
    }

    /** The statement a participant signs in the consistency check: who survived, who dropped. */
    static byte[] survivorsStatement(int round, List<String> survivors, List<String> dropped) {
        return statement(
                out -> {
                    out.writeUTF("survivors");
                    out.writeInt(round);
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
