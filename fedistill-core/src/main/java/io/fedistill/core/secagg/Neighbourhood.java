package io.fedistill.core.secagg;

/**
 * Chooses whom each participant shares its secrets and pairwise masks with: everyone (SecAgg) or a
 * few neighbours in a sparse graph (SecAgg+).
 *
 * <p>A participant's <em>closed neighbourhood</em> is its neighbours plus itself. Its secrets are
 * Shamir-shared among its closed neighbourhood, one share kept by itself, with the {@link
 * SecAggConfig#threshold() threshold} of shares needed to reconstruct them; so the threshold can be
 * at most the size of the closed neighbourhood.
 *
 * <p>Bell et al. show that a degree logarithmic in the number of participants keeps the sum both
 * correct and private with high probability. {@link #recommendedFor(int)} applies this library's
 * rule of thumb, an even degree of at least 3 log2(n), with a threshold a little above half the
 * closed neighbourhood, e.g. {@code degree / 2 + 1}. The rule is ours, not a constant from the
 * paper.
 */
public sealed interface Neighbourhood permits Neighbourhood.Everyone, Neighbourhood.Harary {
    /** Returns the complete graph: every participant is every other's neighbour, as in SecAgg. */
    static Neighbourhood everyone() {
        return new Everyone();
    }

    /**
     * Returns the Harary graph of the given even degree over a seeded random ordering of the
     * participants, as in SecAgg+; a degree of n - 1 or more for n participants is the complete
     * graph.
     *
     * @param degree how many neighbours each participant has; even and at least 2
     */
    static Neighbourhood harary(int degree) {
        return new Harary(degree);
    }

    /**
     * Returns the neighbourhood this library recommends for a round of the given number of
     * participants: a Harary graph whose degree is the smallest even number at least 3 log2(n),
     * which is everyone for up to 13 participants.
     *
     * @param participants the number of participants in the round; positive
     */
    static Neighbourhood recommendedFor(int participants) {
        if (participants < 1) {
            throw new IllegalArgumentException("participants must be >= 1, got " + participants);
        }
        int degree = (int) Math.ceil(3 * Math.log(participants) / Math.log(2));
        degree = Math.max(2, degree + degree % 2);
        return degree >= participants - 1 ? everyone() : harary(degree);
    }

    /**
     * Returns how many participants, itself included, share each participant's secrets in a round
     * of {@code participants}.
     */
    int closedNeighbourhoodSize(int participants);

    /** Every participant neighbours every other: full SecAgg. */
    record Everyone() implements Neighbourhood {
        /** Returns {@code participants}: everyone holds a share. */
        @Override
        public int closedNeighbourhoodSize(int participants) {
            return participants;
        }
    }

    /**
     * Each participant neighbours the {@code degree / 2} participants on either side of it on a
     * ring laid out in a seeded random order: a {@code degree}-regular Harary graph, as in SecAgg+.
     *
     * @param degree how many neighbours each participant has; even and at least 2
     */
    record Harary(int degree) implements Neighbourhood {
        /**
         * Validates the degree.
         *
         * @throws IllegalArgumentException if the degree is odd or below 2
         */
        public Harary {
            if (degree < 2 || degree % 2 != 0) {
                throw new IllegalArgumentException(
                        "Harary degree must be even and >= 2, got " + degree);
            }
        }

        /** Returns {@code degree + 1}, or {@code participants} when the graph is complete. */
        @Override
        public int closedNeighbourhoodSize(int participants) {
            return Math.min(degree + 1, participants);
        }
    }
}
