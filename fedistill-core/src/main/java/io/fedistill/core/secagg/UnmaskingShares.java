package io.fedistill.core.secagg;

import java.util.List;
import java.util.Objects;

/**
 * Carries a surviving participant's answer to an {@link UnmaskingRequest}: one revealed share per
 * neighbour that shared keys, itself included.
 *
 * @param round the round being unmasked
 * @param sender the surviving participant who holds the shares
 * @param shares the shares it reveals
 */
public record UnmaskingShares(int round, String sender, List<RevealedShare> shares) {
    /** Copies the shares. */
    public UnmaskingShares {
        Objects.requireNonNull(sender, "sender");
        shares = List.copyOf(shares);
    }
}
