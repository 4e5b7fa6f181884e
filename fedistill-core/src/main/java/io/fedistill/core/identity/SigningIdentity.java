package io.fedistill.core.identity;

import java.security.PrivateKey;
import java.util.Objects;

/**
 * A participant's long-term identity in signed secure aggregation: a credential that others check
 * with a {@link CredentialVerifier} (in a deployment, the participant's X.509 certificate from the
 * federation's authority, DER-encoded) and the private key it certifies, which signs the
 * participant's round keys and its view of the survivors.
 *
 * <p>The private key never leaves the participant; the credential goes with its signed keys to
 * every neighbour that does not hold it yet.
 */
public final class SigningIdentity {
    private final byte[] credential;
    private final PrivateKey key;

    /**
     * Pairs a credential with the private key it certifies.
     *
     * @param credential what others verify the participant's signatures by
     * @param key the private key (EC, EdDSA or RSA) whose public half the credential holds
     * @throws IllegalArgumentException if the credential is empty or the key cannot sign
     */
    public SigningIdentity(byte[] credential, PrivateKey key) {
        Objects.requireNonNull(credential, "credential");
        this.key = Objects.requireNonNull(key, "key");
        if (credential.length == 0) {
            throw new IllegalArgumentException("a signing identity needs a non-empty credential");
        }
        Signatures.algorithm(key);
        this.credential = credential.clone();
    }

    /** Returns a copy of the credential. */
    public byte[] credential() {
        return credential.clone();
    }

    /** Signs a statement with the identity's private key. */
    public byte[] sign(byte[] statement) {
        return Signatures.sign(key, statement);
    }
}
