package io.fedistill.core.identity;

import java.security.PublicKey;

/**
 * Decides whom a credential in signed secure aggregation belongs to: in a deployment, a certificate
 * is accepted when the federation's authority issued it to the participant it names and it is valid
 * now. Participants use it to check the keys and survivor lists their neighbours signed, so that a
 * coordinator that does not follow the protocol can neither pass its own keys off as a
 * participant's nor tell participants different stories about who survived.
 */
public interface CredentialVerifier {
    /**
     * Returns the public key that verifies the participant's signatures.
     *
     * @param participantId the participant the credential is presented for
     * @param credential the credential, as its {@link SigningIdentity} holds it
     * @throws IllegalArgumentException naming why the credential is not the participant's: not
     *     issued by the trusted authority, expired, issued to another participant, or malformed
     */
    PublicKey verifiedKey(String participantId, byte[] credential);
}
