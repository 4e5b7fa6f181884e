package io.fedistill.core.secagg;

import io.fedistill.core.identity.CredentialVerifier;
import io.fedistill.core.identity.SigningIdentity;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signing identities whose credentials are the participants' EC P-256 public keys themselves,
 * checked against keys pinned in advance (the trust model of SSH's known hosts): signed secure
 * aggregation's protocol tests run on real signatures without a certificate authority, which the
 * gRPC module's tests exercise.
 */
final class PinnedCredentials implements CredentialVerifier {
    private final Map<String, KeyPair> keys = new LinkedHashMap<>();

    PinnedCredentials(Collection<String> ids) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            for (String id : ids) {
                keys.put(id, generator.generateKeyPair());
            }
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    SigningIdentity identity(String id) {
        KeyPair pair = keys.get(id);
        return new SigningIdentity(pair.getPublic().getEncoded(), pair.getPrivate());
    }

    @Override
    public PublicKey verifiedKey(String participantId, byte[] credential) {
        KeyPair pinned = keys.get(participantId);
        if (pinned == null) {
            throw new IllegalArgumentException("no key is pinned for " + participantId);
        }
        if (!Arrays.equals(pinned.getPublic().getEncoded(), credential)) {
            throw new IllegalArgumentException(
                    "the key is not the one pinned for " + participantId);
        }
        return pinned.getPublic();
    }
}
