package io.fedistill.core.secagg;

import io.fedistill.core.seed.Seeds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Lays out one round's {@link Neighbourhood} over its roster: who neighbours whom, each
 * participant's roster position, and the order that decides the sign of a pairwise mask.
 *
 * <p>Participant and server build the same graph from the same config and round, so neither has to
 * send it. The Harary ordering is drawn with {@link java.util.Random}, whose algorithm the Java
 * specification fixes, so every JVM derives the same graph from the same seed.
 */
final class NeighbourhoodGraph {
    private final int round;
    private final Map<String, Integer> positions;
    private final List<Set<String>> closedNeighbourhoods;

    private NeighbourhoodGraph(
            int round, Map<String, Integer> positions, List<Set<String>> closedNeighbourhoods) {
        this.round = round;
        this.positions = positions;
        this.closedNeighbourhoods = closedNeighbourhoods;
    }

    /** Lays out a neighbourhood over a round's roster. */
    static NeighbourhoodGraph of(Neighbourhood neighbourhood, SecAggRound round) {
        List<String> roster = round.roster();
        int participants = roster.size();
        Map<String, Integer> positions = new HashMap<>();
        for (int position = 0; position < participants; position++) {
            positions.put(roster.get(position), position);
        }
        List<Set<String>> closedNeighbourhoods = new ArrayList<>(participants);
        int closedSize = neighbourhood.closedNeighbourhoodSize(participants);
        if (closedSize == participants) {
            Set<String> everyone = Collections.unmodifiableSet(new LinkedHashSet<>(roster));
            for (int position = 0; position < participants; position++) {
                closedNeighbourhoods.add(everyone);
            }
        } else {
            int[] ring = Seeds.permutation(participants, new Random(round.neighbourhoodSeed()));
            int[] placeOnRing = new int[participants];
            for (int place = 0; place < participants; place++) {
                placeOnRing[ring[place]] = place;
            }
            int reach = (closedSize - 1) / 2;
            for (int position = 0; position < participants; position++) {
                boolean[] member = new boolean[participants];
                member[position] = true;
                for (int step = 1; step <= reach; step++) {
                    int place = placeOnRing[position];
                    member[ring[Math.floorMod(place + step, participants)]] = true;
                    member[ring[Math.floorMod(place - step, participants)]] = true;
                }
                Set<String> closed = new LinkedHashSet<>();
                for (int other = 0; other < participants; other++) {
                    if (member[other]) {
                        closed.add(roster.get(other));
                    }
                }
                closedNeighbourhoods.add(Collections.unmodifiableSet(closed));
            }
        }
        return new NeighbourhoodGraph(round.round(), positions, closedNeighbourhoods);
    }

    /**
     * Refuses a participant that is not on the roster.
     *
     * @throws IllegalArgumentException naming the participant and the round
     */
    void requireOnRoster(String participantId) {
        position(participantId);
    }

    /**
     * Returns the participant's position in the roster.
     *
     * @throws IllegalArgumentException naming a participant not on the roster
     */
    int position(String participantId) {
        Integer position = positions.get(participantId);
        if (position == null) {
            throw new IllegalArgumentException(
                    "participant " + participantId + " is not on the roster of round " + round);
        }
        return position;
    }

    /** Returns the x-coordinate of the participant's Shamir shares: its position plus one. */
    int shareCoordinate(String participantId) {
        return position(participantId) + 1;
    }

    /** Returns the participant and its neighbours, in roster order. */
    Set<String> closedNeighbourhood(String participantId) {
        return closedNeighbourhoods.get(position(participantId));
    }

    /** Returns whether two participants, or a participant and itself, share secrets. */
    boolean inClosedNeighbourhood(String participantId, String otherId) {
        return closedNeighbourhood(participantId).contains(otherId);
    }

    /** Returns whether {@code first} comes before {@code second} in the roster. */
    boolean precedes(String first, String second) {
        return position(first) < position(second);
    }
}
