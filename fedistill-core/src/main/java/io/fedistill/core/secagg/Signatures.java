package io.fedistill.core.secagg;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.List;

/**
 * The signatures of signed secure aggregation: which JDK algorithm signs with a key, and the
 * statements participants sign, each length-prefixed and labelled so that no statement of one kind
 * reads as another.
 */
final class Signatures {
    private static final String LABEL = "fedistill/secagg/v1";

    private Signatures() {}

    /**
     * Returns the JDK signature algorithm for a key's type.
     *
     * @throws IllegalArgumentException for a key type that cannot sign here
     */
    static String algorithm(Key key) {
        return switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "RSA" -> "SHA256withRSA";
            default ->
                    throw new IllegalArgumentException(
                            "a "
                                    + key.getAlgorithm()
                                    + " key cannot sign secure-aggregation messages;"
                                    + " use an EC, Ed25519 or RSA key");
        };
    }

    static byte[] sign(PrivateKey key, byte[] statement) {
        try {
            Signature signature = Signature.getInstance(algorithm(key));
            signature.initSign(key);
            signature.update(statement);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with the participant's key", e);
        }
    }

    /** Returns whether the signature is the key's on the statement; a malformed one is not. */
    static boolean verify(PublicKey key, byte[] statement, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(algorithm(key));
            verifier.initVerify(key);
            verifier.update(statement);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

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
        if (!verify(key, keysStatement(keys), keys.signature())) {
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
