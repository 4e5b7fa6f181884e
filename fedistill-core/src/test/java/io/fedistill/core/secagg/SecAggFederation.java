package io.fedistill.core.secagg;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Moves one round's messages between in-process participants and a server, the way a transport
 * would, letting each test choose who sends at each stage and so who drops out when.
 */
final class SecAggFederation {
    final SecAggConfig config;
    final SecAggRound round;
    final Map<String, SecAggParticipant> participants = new LinkedHashMap<>();
    final SecAggServer server;

    /** Each participant's identity in a signed round, or null in an unsigned one. */
    final PinnedCredentials credentials;

    SecAggFederation(SecAggConfig config, SecAggRound round, long seed) {
        this(config, round, seed, config.signed() ? new PinnedCredentials(round.roster()) : null);
    }

    /** Creates a signed federation whose participants hold the given identities. */
    SecAggFederation(
            SecAggConfig config, SecAggRound round, long seed, PinnedCredentials credentials) {
        this.config = config;
        this.round = round;
        this.credentials = credentials;
        for (String id : round.roster()) {
            SecureRandom random = seeded(seed + id.hashCode());
            participants.put(
                    id,
                    config.signed()
                            ? new SecAggParticipant(
                                    config,
                                    round,
                                    id,
                                    random,
                                    credentials.identity(id),
                                    credentials)
                            : new SecAggParticipant(config, round, id, random));
        }
        this.server = new SecAggServer(config, round, credentials);
    }

    /** Returns the ids p1 .. pn. */
    static List<String> ids(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> "p" + i).toList();
    }

    /** Returns a SecureRandom whose output the seed alone determines. */
    static SecureRandom seeded(long seed) {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed);
            return random;
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Returns one vector of uniformly random ring elements per participant. */
    static Map<String, int[]> randomInputs(List<String> ids, int length, long seed) {
        SecureRandom random = seeded(seed);
        Map<String, int[]> inputs = new LinkedHashMap<>();
        for (String id : ids) {
            inputs.put(id, random.ints(length).toArray());
        }
        return inputs;
    }

    /** Returns the sum modulo 2^32 of the named participants' inputs. */
    static int[] plainSum(Map<String, int[]> inputs, Collection<String> contributors, int length) {
        int[] sum = new int[length];
        for (String id : contributors) {
            int[] input = inputs.get(id);
            for (int i = 0; i < length; i++) {
                sum[i] += input[i];
            }
        }
        return sum;
    }

    Map<String, List<AdvertisedKeys>> advertise(Collection<String> senders) {
        for (String id : senders) {
            server.receiveKeys(participants.get(id).advertiseKeys());
        }
        return server.endAdvertising();
    }

    Map<String, List<EncryptedShares>> share(
            Map<String, List<AdvertisedKeys>> keys, Collection<String> senders) {
        for (String id : senders) {
            server.receiveShares(participants.get(id).shareKeys(keys.get(id)));
        }
        return server.endSharing();
    }

    UnmaskingRequest mask(
            Map<String, List<EncryptedShares>> shares,
            Map<String, int[]> inputs,
            Collection<String> senders) {
        for (String id : senders) {
            server.receiveMaskedVector(
                    participants.get(id).maskInput(inputs.get(id), shares.get(id)));
        }
        return server.endMasking();
    }

    /** Has the senders sign the survivors (signed rounds) and returns the signed request. */
    UnmaskingRequest confirm(UnmaskingRequest request, Collection<String> senders) {
        for (String id : senders) {
            server.receiveSurvivorSignature(participants.get(id).confirmSurvivors(request));
        }
        return server.endConsistencyCheck();
    }

    SecAggResult unmask(UnmaskingRequest request, Collection<String> senders) {
        for (String id : senders) {
            server.receiveUnmaskingShares(
                    participants
                            .get(id)
                            .unmask(config.signed() ? server.unmaskingRequestFor(id) : request));
        }
        return server.sum();
    }

    /**
     * Runs the round end to end; each set names participants that go silent after the stage whose
     * message they last sent.
     */
    SecAggResult run(
            Map<String, int[]> inputs,
            Collection<String> silentAfterAdvertising,
            Collection<String> silentAfterSharing,
            Collection<String> silentAfterMasking) {
        List<String> advertisers = round.roster();
        List<String> sharers = without(advertisers, silentAfterAdvertising);
        List<String> maskers = without(sharers, silentAfterSharing);
        List<String> unmaskers = without(maskers, silentAfterMasking);
        Map<String, List<AdvertisedKeys>> keys = advertise(advertisers);
        Map<String, List<EncryptedShares>> shares = share(keys, sharers);
        UnmaskingRequest request = mask(shares, inputs, maskers);
        if (config.signed()) {
            request = confirm(request, unmaskers);
        }
        return unmask(request, unmaskers);
    }

    static List<String> without(List<String> ids, Collection<String> removed) {
        return ids.stream().filter(id -> !removed.contains(id)).collect(Collectors.toList());
    }
}
