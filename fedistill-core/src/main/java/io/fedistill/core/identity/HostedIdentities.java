package io.fedistill.core.identity;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The signing identities of the participants one process hosts, and the verifier they check
 * everyone else's credentials with: what a participant host needs to take part in signed secure
 * aggregation.
 *
 * @param identities each hosted participant's identity, by id; a hosted participant without one
 *     cannot take part in signed rounds
 * @param verifier checks the credentials of the participants' neighbours
 * @param signedOnly whether the hosted participants send models and knowledge only into signed
 *     secure aggregation: they refuse unsigned rounds, in which a coordinator that does not follow
 *     the protocol could read their inputs, and tasks that ask for them in the clear (metrics still
 *     go out)
 */
public record HostedIdentities(
        Map<String, SigningIdentity> identities, CredentialVerifier verifier, boolean signedOnly) {
    /** Copies the identities. */
    public HostedIdentities {
        identities = Map.copyOf(identities);
        Objects.requireNonNull(verifier, "verifier");
    }

    /** Returns the participant's identity, or empty when it has none. */
    public Optional<SigningIdentity> of(String participantId) {
        return Optional.ofNullable(identities.get(participantId));
    }
}
