package io.fedistill.core.secagg;

import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the secure-aggregation records travel in fedistill messages: keys, credentials, signatures,
 * nonces, ciphertexts and shares as base64 config entries named {@code <field>:<participant id>},
 * rosters as comma-separated lists, and a masked vector as a {@link TensorRole#WORDS} tensor of its
 * 32-bit ring elements cut into 16-bit halves, high half first.
 */
final class SecureSumWire {
    static final MessageType ADVERTISE = MessageType.of("secagg", "advertise");
    static final MessageType SHARE = MessageType.of("secagg", "share");
    static final MessageType MASK = MessageType.of("secagg", "mask");
    static final MessageType CONFIRM = MessageType.of("secagg", "confirm");
    static final MessageType UNMASK = MessageType.of("secagg", "unmask");

    static final String ROSTER = "roster";
    static final String THRESHOLD = "threshold";
    static final String DEGREE = "degree";
    static final String NEIGHBOURHOOD_SEED = "neighbourhood_seed";
    static final String CLIP = "clip";
    static final String VECTOR_LENGTH = "vector_length";
    static final String SIGNED = "signed";
    static final String MASKED = "masked";

    private static final String ENCRYPTION_KEY = "encryption_key";
    private static final String MASKING_KEY = "masking_key";
    private static final String NONCE = "nonce";
    private static final String CIPHERTEXT = "ciphertext";
    private static final String SURVIVORS = "survivors";
    private static final String DROPPED = "dropped";
    private static final String CREDENTIAL = "credential";
    private static final String SIGNATURE = "signature";
    private static final String SURVIVOR_SIGNATURE = "survivor_signature";

    /** A participant's note that it holds a neighbour's verified credential, by its digest. */
    private static final String HELD_CREDENTIAL = "held_credential";

    private SecureSumWire() {}

    static String encode(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    static byte[] decode(ConfigRecord config, String key) {
        try {
            return Base64.getDecoder().decode(config.getString(key));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + key + "' is not base64: " + e.getMessage(), e);
        }
    }

    static String join(List<String> ids) {
        return String.join(",", ids);
    }

    static List<String> split(String ids) {
        return ids.isEmpty() ? List.of() : List.of(ids.split(",", -1));
    }

    /** Returns the ids named by config keys {@code <field>:<id>}, in order. */
    static List<String> idsOf(ConfigRecord config, String field) {
        List<String> ids = new ArrayList<>();
        for (String key : config.values().keySet()) {
            if (key.startsWith(field + ':')) {
                ids.add(key.substring(field.length() + 1));
            }
        }
        return ids;
    }

    /**
     * Puts keys, named by their participant's id or not; the credential of signed keys is left out
     * when the recipient holds it already ({@code withCredential} false).
     */
    static void putKeys(
            Map<String, Object> config,
            AdvertisedKeys keys,
            boolean named,
            boolean withCredential) {
        String suffix = named ? ":" + keys.participantId() : "";
        config.put(ENCRYPTION_KEY + suffix, encode(keys.encryptionKey()));
        config.put(MASKING_KEY + suffix, encode(keys.maskingKey()));
        if (keys.isSigned()) {
            if (withCredential) {
                config.put(CREDENTIAL + suffix, encode(keys.credential()));
            }
            config.put(SIGNATURE + suffix, encode(keys.signature()));
        }
    }

    /** Reads keys sent with their credential, as a participant advertises them. */
    static AdvertisedKeys keys(ConfigRecord config, int round, String id) {
        return keys(config, round, id, false, Map.of());
    }

    /**
     * Reads keys; signed keys sent without their credential take it from {@code held}.
     *
     * @throws IllegalArgumentException if signed keys come without a credential that {@code held}
     *     has
     */
    private static AdvertisedKeys keys(
            ConfigRecord config, int round, String id, boolean named, Map<String, byte[]> held) {
        String suffix = named ? ":" + id : "";
        boolean signed = config.has(CREDENTIAL + suffix) || config.has(SIGNATURE + suffix);
        byte[] credential = new byte[0];
        if (config.has(CREDENTIAL + suffix)) {
            credential = decode(config, CREDENTIAL + suffix);
        } else if (signed) {
            credential = held.get(id);
            if (credential == null) {
                throw new IllegalArgumentException(
                        "the keys of "
                                + id
                                + " in round "
                                + round
                                + " came without its credential, and none is held for it");
            }
        }
        return new AdvertisedKeys(
                round,
                id,
                decode(config, ENCRYPTION_KEY + suffix),
                decode(config, MASKING_KEY + suffix),
                credential,
                signed ? decode(config, SIGNATURE + suffix) : new byte[0]);
    }

    /**
     * Reads the keys forwarded to a participant; signed keys sent without their credential take it
     * from {@code held}, the credentials the participant verified before, by participant id.
     */
    static List<AdvertisedKeys> allKeys(ConfigRecord config, int round, Map<String, byte[]> held) {
        List<AdvertisedKeys> keys = new ArrayList<>();
        for (String id : idsOf(config, ENCRYPTION_KEY)) {
            keys.add(keys(config, round, id, true, held));
        }
        return keys;
    }

    /**
     * Returns the digest that names a credential on the wire: the first 16 bytes of its SHA-256, in
     * base64.
     */
    static String credentialDigest(byte[] credential) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(credential);
            return encode(Arrays.copyOf(digest, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** Notes the credentials a participant holds, by participant id, for the coordinator. */
    static void putHeldCredentials(Map<String, Object> config, Map<String, byte[]> held) {
        held.forEach(
                (id, credential) ->
                        config.put(HELD_CREDENTIAL + ':' + id, credentialDigest(credential)));
    }

    /** Reads the digests of the credentials a participant noted it holds, by participant id. */
    static Map<String, String> heldCredentials(ConfigRecord config) {
        Map<String, String> held = new HashMap<>();
        for (String id : idsOf(config, HELD_CREDENTIAL)) {
            held.put(id, config.getString(HELD_CREDENTIAL + ':' + id));
        }
        return held;
    }

    /** Puts encrypted shares under the other party's id: the recipient's, or the sender's. */
    static void putShares(
            Map<String, Object> config, List<EncryptedShares> shares, boolean bySender) {
        for (EncryptedShares share : shares) {
            String id = bySender ? share.sender() : share.recipient();
            config.put(NONCE + ':' + id, encode(share.nonce()));
            config.put(CIPHERTEXT + ':' + id, encode(share.ciphertext()));
        }
    }

    static List<EncryptedShares> shares(
            ConfigRecord config, int round, String self, boolean bySender) {
        List<EncryptedShares> shares = new ArrayList<>();
        for (String id : idsOf(config, CIPHERTEXT)) {
            shares.add(
                    new EncryptedShares(
                            round,
                            bySender ? id : self,
                            bySender ? self : id,
                            decode(config, NONCE + ':' + id),
                            decode(config, CIPHERTEXT + ':' + id)));
        }
        return shares;
    }

    static void putUnmaskingRequest(Map<String, Object> config, UnmaskingRequest request) {
        config.put(SURVIVORS, join(request.survivors()));
        config.put(DROPPED, join(request.dropped()));
        for (SurvivorSignature signature : request.signatures()) {
            config.put(
                    SURVIVOR_SIGNATURE + ':' + signature.signer(), encode(signature.signature()));
        }
    }

    static UnmaskingRequest unmaskingRequest(ConfigRecord config, int round) {
        List<SurvivorSignature> signatures = new ArrayList<>();
        for (String signer : idsOf(config, SURVIVOR_SIGNATURE)) {
            signatures.add(
                    new SurvivorSignature(
                            round, signer, decode(config, SURVIVOR_SIGNATURE + ':' + signer)));
        }
        return new UnmaskingRequest(
                round,
                split(config.getString(SURVIVORS)),
                split(config.getString(DROPPED)),
                signatures);
    }

    static void putSurvivorSignature(Map<String, Object> config, SurvivorSignature signature) {
        config.put(SURVIVOR_SIGNATURE, encode(signature.signature()));
    }

    static SurvivorSignature survivorSignature(ConfigRecord config, int round, String signer) {
        return new SurvivorSignature(round, signer, decode(config, SURVIVOR_SIGNATURE));
    }

    static void putRevealed(Map<String, Object> config, List<RevealedShare> shares) {
        for (RevealedShare share : shares) {
            config.put(
                    share.secret().name().toLowerCase(Locale.ROOT) + ':' + share.owner(),
                    encode(share.share()));
        }
    }

    static List<RevealedShare> revealed(ConfigRecord config) {
        List<RevealedShare> shares = new ArrayList<>();
        for (RevealedShare.Secret secret : RevealedShare.Secret.values()) {
            String field = secret.name().toLowerCase(Locale.ROOT);
            for (String owner : idsOf(config, field)) {
                shares.add(new RevealedShare(owner, secret, decode(config, field + ':' + owner)));
            }
        }
        return shares;
    }

    /** Returns the masked vector as a tensor of 16-bit halves, high half first. */
    static TensorRecord words(int[] vector) {
        float[] halves = new float[2 * vector.length];
        for (int i = 0; i < vector.length; i++) {
            halves[2 * i] = vector[i] >>> 16;
            halves[2 * i + 1] = vector[i] & 0xffff;
        }
        return TensorRecord.of(
                MASKED, Tensor.wrap(new int[] {halves.length}, halves), TensorRole.WORDS);
    }

    /** Reads a masked vector back from its halves; refuses a tensor that holds no words. */
    static int[] vector(Message reply) {
        Tensor halves = reply.tensors().get(MASKED);
        if (reply.tensors().role(MASKED) != TensorRole.WORDS || halves.size() % 2 != 0) {
            throw new IllegalArgumentException(
                    "masked vector of "
                            + reply.participantId()
                            + " is not an even number of words");
        }
        String why = TensorRole.WORDS.violation(halves);
        if (why != null) {
            throw new IllegalArgumentException(
                    "masked vector of " + reply.participantId() + ": " + why);
        }
        int[] vector = new int[halves.size() / 2];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = ((int) halves.get(2 * i) << 16) | (int) halves.get(2 * i + 1);
        }
        return vector;
    }
}
