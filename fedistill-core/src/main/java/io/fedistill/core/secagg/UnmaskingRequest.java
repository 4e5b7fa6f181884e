package io.fedistill.core.secagg;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Announces, at {@link SecAggStage#UNMASKING}, which participants' masked vectors are in the sum
 * and which shared keys but dropped out before sending one; every survivor answers with the share
 * of each neighbour's self-mask seed if the neighbour survived, or of its masking private key if it
 * dropped.
 *
 * <p>No participant may be listed as both: with both of its secrets the server could strip every
 * mask from its vector and read its input.
 *
 * <p>In signed secure aggregation the survivors first sign the two lists ({@link
 * SecAggStage#CONSISTENCY_CHECK}), and the request then carries their signatures.
 *
 * @param round the round being unmasked
 * @param survivors the participants whose masked vectors are in the sum
 * @param dropped the participants that shared keys but sent no masked vector
 * @param signatures the survivors' signatures over both lists; empty when unsigned
 */
public record UnmaskingRequest(
        int round,
        List<String> survivors,
        List<String> dropped,
        List<SurvivorSignature> signatures) {
    /**
     * Copies the lists and refuses a participant listed twice.
     *
     * @throws IllegalArgumentException naming a participant listed as both surviving and dropped,
     *     or listed twice in one list, or a signature of another round
     */
    public UnmaskingRequest {
        survivors = List.copyOf(survivors);
        dropped = List.copyOf(dropped);
        signatures = List.copyOf(signatures);
        for (SurvivorSignature signature : signatures) {
            if (signature.round() != round) {
                throw new IllegalArgumentException(
                        "unmasking request for round "
                                + round
                                + " carries a signature of "
                                + signature.signer()
                                + " from round "
                                + signature.round());
            }
        }
        Set<String> survivorSet = new HashSet<>();
        for (String id : survivors) {
            if (!survivorSet.add(id)) {
                throw new IllegalArgumentException(
                        "unmasking request for round "
                                + round
                                + " lists survivor "
                                + id
                                + " twice");
            }
        }
        Set<String> droppedSet = new HashSet<>();
        for (String id : dropped) {
            if (survivorSet.contains(id)) {
                throw new IllegalArgumentException(
                        "unmasking request for round "
                                + round
                                + " lists participant "
                                + id
                                + " as both surviving and dropped; revealing both its self-mask"
                                + " seed and its masking key would expose its input");
            }
            if (!droppedSet.add(id)) {
                throw new IllegalArgumentException(
                        "unmasking request for round " + round + " lists dropped " + id + " twice");
            }
        }
    }

    /** Creates an unsigned request, as the semi-honest protocol sends it. */
    public UnmaskingRequest(int round, List<String> survivors, List<String> dropped) {
        this(round, survivors, dropped, List.of());
    }

    /** Returns the same lists with the survivors' signatures. */
    UnmaskingRequest withSignatures(List<SurvivorSignature> signed) {
        return new UnmaskingRequest(round, survivors, dropped, signed);
    }

    /**
     * Returns the statement a survivor signs in the consistency check, bound to the keys it
     * advertised in this execution of the round.
     */
    byte[] statement(AdvertisedKeys signerKeys) {
        return SignedStatements.survivorsStatement(signerKeys, survivors, dropped);
    }
}
