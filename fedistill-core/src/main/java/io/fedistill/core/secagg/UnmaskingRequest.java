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
 * @param round the round being unmasked
 * @param survivors the participants whose masked vectors are in the sum
 * @param dropped the participants that shared keys but sent no masked vector
 */
public record UnmaskingRequest(int round, List<String> survivors, List<String> dropped) {
    /**
     * Copies the lists and refuses a participant listed twice.
     *
     * @throws IllegalArgumentException naming a participant listed as both surviving and dropped,
     *     or listed twice in one list
     */
    public UnmaskingRequest {
        survivors = List.copyOf(survivors);
        dropped = List.copyOf(dropped);
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
}
