package io.fedistill.core.secagg;

import java.util.List;
import java.util.Objects;

/**
 * Carries everything one participant sends at {@link SecAggStage#SHARE_KEYS}: its encrypted shares,
 * one {@link EncryptedShares} for each neighbour that advertised keys.
 *
 * @param round the round the shares belong to
 * @param sender the participant whose secrets are shared
 * @param shares one sealed pair of shares per neighbour, each sent by {@code sender} in {@code
 *     round}
 */
public record ShareBundle(int round, String sender, List<EncryptedShares> shares) {
    /**
     * Copies the shares and checks that each belongs to this sender and round.
     *
     * @throws IllegalArgumentException naming the first share from another sender or round
     */
    public ShareBundle {
        Objects.requireNonNull(sender, "sender");
        shares = List.copyOf(shares);
        for (EncryptedShares share : shares) {
            if (!share.sender().equals(sender) || share.round() != round) {
                throw new IllegalArgumentException(
                        "bundle of "
                                + sender
                                + " for round "
                                + round
                                + " holds shares from "
                                + share.sender()
                                + " for round "
                                + share.round());
            }
        }
    }
}
