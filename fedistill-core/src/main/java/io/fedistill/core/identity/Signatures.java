package io.fedistill.core.identity;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/**
 * Signs and verifies with whichever JDK algorithm fits a key: ECDSA, EdDSA (Ed25519, Ed448) or RSA.
 */
public final class Signatures {
    private Signatures() {}

    /**
     * Returns the JDK signature algorithm for a key's type.
     *
     * @throws IllegalArgumentException for a key type that cannot sign here
     */
    public static String algorithm(Key key) {
        return switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> "EdDSA";
            case "RSA" -> "SHA256withRSA";
            default ->
                    throw new IllegalArgumentException(
                            "a "
                                    + key.getAlgorithm()
                                    + " key cannot sign secure-aggregation messages;"
                                    + " use an EC, EdDSA or RSA key");
        };
    }

    /**
     * Signs a statement.
     *
     * @throws IllegalArgumentException for a key type that cannot sign here
     */
    public static byte[] sign(PrivateKey key, byte[] statement) {
        try {
            Signature signature = Signature.getInstance(algorithm(key));
            signature.initSign(key);
            signature.update(statement);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with a " + key.getAlgorithm() + " key", e);
        }
    }

    /** Returns whether the signature is the key's on the statement; a malformed one is not. */
    public static boolean verify(PublicKey key, byte[] statement, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(algorithm(key));
            verifier.initVerify(key);
            verifier.update(statement);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
