package io.fedistill.core.secagg;

import java.util.Arrays;
import java.util.Objects;

/**
 * One survivor's signature over the server's list of survivors and dropped participants, sent at
 * {@link SecAggStage#CONSISTENCY_CHECK} of signed secure aggregation. The server forwards the
 * signatures with the unmasking request, and a participant reveals shares only when at least the
 * threshold of its closed neighbourhood signed the very list it signed, so the server cannot tell
 * some participants that a neighbour dropped and others that it survived.
 *
 * @param round the round whose survivors were signed
 * @param signer the participant that signed
 * @param signature the signature, checked against the credential the signer advertised
 */
public record SurvivorSignature(int round, String signer, byte[] signature) {
    /**
     * Copies the signature.
     *
     * @throws IllegalArgumentException if the signature is empty
     */
    public SurvivorSignature {
        Objects.requireNonNull(signer, "signer");
        signature = Objects.requireNonNull(signature, "signature").clone();
        if (signature.length == 0) {
            throw new IllegalArgumentException(
                    "survivor signature of " + signer + " in round " + round + " is empty");
        }
    }

    /** Returns a copy of the signature. */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** Compares the signatures by content. */
    @Override
    public boolean equals(Object other) {
        return other instanceof SurvivorSignature that
                && round == that.round
                && signer.equals(that.signer)
                && Arrays.equals(signature, that.signature);
    }

    /** Hashes the signature by content. */
    @Override
    public int hashCode() {
        return Objects.hash(round, signer, Arrays.hashCode(signature));
    }

    /** Shows the signer and the signature's length. */
    @Override
    public String toString() {
        return "SurvivorSignature[round="
                + round
                + ", signer="
                + signer
                + ", signature="
                + signature.length
                + " bytes]";
    }
}
