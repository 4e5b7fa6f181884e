package io.fedistill.core.secagg;

import static io.fedistill.core.secagg.SecAggFederation.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecAggConfigTest {
    private static final FixedPoint TEN = FixedPoint.forParticipants(1f, 10);

    @Test
    void refusesThresholdsThatCannotProtectOrCannotBeMet() {
        assertThatThrownBy(() -> new SecAggConfig(1, Neighbourhood.everyone(), 4, TEN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threshold must be >= 2, got 1");
        assertThatThrownBy(() -> new SecAggConfig(6, Neighbourhood.harary(4), 4, TEN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "threshold must be at most the closed neighbourhood size (degree + 1 = 5),"
                                + " got 6");
        assertThatThrownBy(() -> new SecAggConfig(2, Neighbourhood.everyone(), 0, TEN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vectorLength must be >= 1, got 0");
    }

    @Test
    void refusesRoundsTooSmallForTheThresholdOrTooLargeForTheEncoding() {
        SecAggConfig config = new SecAggConfig(4, Neighbourhood.everyone(), 4, TEN);

        assertThatThrownBy(() -> new SecAggServer(config, new SecAggRound(7, ids(3), 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "round 7 has closed neighbourhoods of 3 participants, fewer than the"
                                + " threshold 4");
        assertThatThrownBy(
                        () ->
                                new SecAggParticipant(
                                        config,
                                        new SecAggRound(7, ids(11), 0),
                                        "p1",
                                        SecAggFederation.seeded(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "round 7 has 11 participants, more than the fixed-point encoding's"
                                + " maxParticipants 10");
    }

    @Test
    void refusesAParticipantNotOnTheRoster() {
        SecAggConfig config = new SecAggConfig(2, Neighbourhood.everyone(), 4, TEN);

        assertThatThrownBy(
                        () ->
                                new SecAggParticipant(
                                        config,
                                        new SecAggRound(7, ids(3), 0),
                                        "p4",
                                        SecAggFederation.seeded(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("participant p4 is not on the roster of round 7");
    }

    @Test
    void roundCopiesItsRosterAndRefusesBadOnes() {
        List<String> roster = new ArrayList<>(List.of("a", "b"));
        SecAggRound round = new SecAggRound(3, roster, 0);
        roster.add("c");

        assertThat(round.roster()).containsExactly("a", "b");
        assertThatThrownBy(() -> new SecAggRound(3, List.of(), 0))
                .hasMessage("roster of round 3 is empty");
        assertThatThrownBy(() -> new SecAggRound(3, List.of("a", " "), 0))
                .hasMessage("roster of round 3 holds a blank participant id");
        assertThatThrownBy(() -> new SecAggRound(3, List.of("a", "b", "a"), 0))
                .hasMessage("roster of round 3 lists participant a twice");
    }
}
