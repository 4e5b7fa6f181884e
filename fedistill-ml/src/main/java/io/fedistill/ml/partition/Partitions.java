package io.fedistill.ml.partition;

import io.fedistill.core.seed.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.random.Well19937c;

/** Shared steps of the partitioners: shuffles, Dirichlet draws and per-participant splits. */
final class Partitions {
    private Partitions() {}

    static void checkParticipants(int participants, int samples) {
        if (participants < 1) {
            throw new IllegalArgumentException("participants must be >= 1, got " + participants);
        }
        if (samples < participants) {
            throw new IllegalArgumentException(
                    "cannot split " + samples + " samples among " + participants + " participants");
        }
    }

    /** Refuses more labels per participant than the data has classes. */
    static void checkLabelsPerParticipant(int labelsPerParticipant, int numClasses) {
        if (labelsPerParticipant > numClasses) {
            throw new IllegalArgumentException(
                    labelsPerParticipant
                            + " labels per participant, but the data has only "
                            + numClasses
                            + " classes");
        }
    }

    /** Draws a probability vector from a symmetric Dirichlet(alpha) through Gamma draws. */
    static double[] dirichlet(int size, double alpha, Well19937c random) {
        GammaDistribution gamma = new GammaDistribution(random, alpha, 1.0);
        double[] draw = new double[size];
        double sum = 0;
        for (int i = 0; i < size; i++) {
            draw[i] = gamma.sample();
            sum += draw[i];
        }
        if (sum == 0) {
            draw[random.nextInt(size)] = 1;
            return draw;
        }
        for (int i = 0; i < size; i++) {
            draw[i] /= sum;
        }
        return draw;
    }

    /** Indices of each class, shuffled. */
    static List<int[]> shuffledByClass(int[] labels, int numClasses, Random random) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < numClasses; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        List<int[]> out = new ArrayList<>();
        for (List<Integer> members : byClass) {
            int[] arr = members.stream().mapToInt(Integer::intValue).toArray();
            int[] order = Seeds.permutation(arr.length, random);
            int[] shuffled = new int[arr.length];
            for (int i = 0; i < arr.length; i++) {
                shuffled[i] = arr[order[i]];
            }
            out.add(shuffled);
        }
        return out;
    }

    static List<int[]> toSortedArrays(List<List<Integer>> parts) {
        List<int[]> out = new ArrayList<>();
        for (List<Integer> part : parts) {
            int[] arr = part.stream().mapToInt(Integer::intValue).toArray();
            Arrays.sort(arr);
            out.add(arr);
        }
        return out;
    }
}
