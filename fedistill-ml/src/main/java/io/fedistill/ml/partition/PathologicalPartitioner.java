package io.fedistill.ml.partition;

import io.fedistill.core.seed.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The pathological split of PFLlib and HtFLlib: each participant holds exactly {@code
 * labelsPerParticipant} distinct labels, dealt round-robin over a seeded order of the classes
 * (participant p gets the classes at positions {@code p*k .. p*k+k-1}, modulo the class count), so
 * the holders of a class are as few as the counts allow and each label is shared evenly; a class's
 * samples are cut into equal parts among its holders. Unlike {@link ShardPartitioner}, no
 * participant can draw two shards of one label.
 */
final class PathologicalPartitioner implements Partitioner {
    private final int labelsPerParticipant;

    PathologicalPartitioner(int labelsPerParticipant) {
        if (labelsPerParticipant < 1) {
            throw new IllegalArgumentException(
                    "pathological labels per participant must be >= 1, got "
                            + labelsPerParticipant);
        }
        this.labelsPerParticipant = labelsPerParticipant;
    }

    @Override
    public String describe() {
        return "pathological(labels=" + labelsPerParticipant + ")";
    }

    @Override
    public List<int[]> split(int[] labels, int numClasses, int participants, long seed) {
        Partitions.checkParticipants(participants, labels.length);
        Partitions.checkLabelsPerParticipant(labelsPerParticipant, numClasses);
        if ((long) participants * labelsPerParticipant < numClasses) {
            throw new IllegalArgumentException(
                    participants
                            + " participants with "
                            + labelsPerParticipant
                            + " labels each cannot hold all "
                            + numClasses
                            + " classes; use more participants or more labels per participant");
        }
        Random random = new Random(seed);
        List<int[]> byClass = Partitions.shuffledByClass(labels, numClasses, random);
        int[] classOrder = Seeds.permutation(numClasses, random);
        List<List<Integer>> holders = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            holders.add(new ArrayList<>());
        }
        for (int p = 0; p < participants; p++) {
            for (int s = 0; s < labelsPerParticipant; s++) {
                int slot = (int) (((long) p * labelsPerParticipant + s) % numClasses);
                holders.get(classOrder[slot]).add(p);
            }
        }
        List<List<Integer>> parts = new ArrayList<>();
        for (int p = 0; p < participants; p++) {
            parts.add(new ArrayList<>());
        }
        for (int c = 0; c < numClasses; c++) {
            int[] members = byClass.get(c);
            List<Integer> owners = holders.get(c);
            for (int h = 0; h < owners.size(); h++) {
                int from = (int) ((long) members.length * h / owners.size());
                int to = (int) ((long) members.length * (h + 1) / owners.size());
                for (int i = from; i < to; i++) {
                    parts.get(owners.get(h)).add(members[i]);
                }
            }
        }
        for (int p = 0; p < participants; p++) {
            if (parts.get(p).isEmpty()) {
                throw new IllegalArgumentException(
                        "participant "
                                + p
                                + " got no samples: its labels have fewer samples than holders");
            }
        }
        return Partitions.toSortedArrays(parts);
    }
}
