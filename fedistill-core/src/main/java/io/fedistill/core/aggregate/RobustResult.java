package io.fedistill.core.aggregate;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * What a robust aggregation produced and which participants it was drawn from, so a run can report
 * how many updates a rule left out.
 *
 * <p>Krum and multi-Krum leave out whole updates; the mean, median and trimmed mean select every
 * participant (the latter two drop extreme values coordinate by coordinate instead).
 *
 * @param aggregate the aggregated value
 * @param participants how many updates were given
 * @param selected the positions, in the given list, of the updates that entered the aggregate, in
 *     ascending order
 * @param <T> the aggregated value's type: a tensor record or a score matrix
 */
public record RobustResult<T>(T aggregate, int participants, List<Integer> selected) {

    /** Checks that the selection is a non-empty ascending subset of the participants. */
    public RobustResult {
        Objects.requireNonNull(aggregate, "aggregate");
        selected = List.copyOf(selected);
        if (participants < 1) {
            throw new IllegalArgumentException("participants must be >= 1, got " + participants);
        }
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("selected must name at least one participant");
        }
        for (int k = 0; k < selected.size(); k++) {
            int position = selected.get(k);
            boolean ascending = k == 0 || position > selected.get(k - 1);
            if (position < 0 || position >= participants || !ascending) {
                throw new IllegalArgumentException(
                        "selected must be ascending positions in [0, "
                                + participants
                                + "), got "
                                + selected);
            }
        }
    }

    /** Returns a result in which every one of {@code participants} updates was selected. */
    public static <T> RobustResult<T> ofAll(T aggregate, int participants) {
        return new RobustResult<>(
                aggregate, participants, IntStream.range(0, participants).boxed().toList());
    }

    /** Returns how many updates were left out of the aggregate. */
    public int excluded() {
        return participants - selected.size();
    }

    /** Returns this result with the aggregate converted, the selection unchanged. */
    public <U> RobustResult<U> map(Function<? super T, ? extends U> convert) {
        return new RobustResult<>(convert.apply(aggregate), participants, selected);
    }
}
