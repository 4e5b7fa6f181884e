package io.fedistill.core.secagg;

import static io.fedistill.core.secagg.SecAggFederation.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NeighbourhoodTest {
    private static final SecAggRound THIRTY = new SecAggRound(7, ids(30), 99L);

    @Test
    void hararyGraphIsRegularAndSymmetric() {
        NeighbourhoodGraph graph = NeighbourhoodGraph.of(Neighbourhood.harary(8), THIRTY);

        for (String id : ids(30)) {
            Set<String> closed = graph.closedNeighbourhood(id);
            assertThat(closed).hasSize(9).contains(id);
            for (String neighbour : closed) {
                assertThat(graph.closedNeighbourhood(neighbour)).contains(id);
            }
        }
    }

    @Test
    void hararyGraphOfDegreeTwoIsOneCycleThroughEveryone() {
        NeighbourhoodGraph graph = NeighbourhoodGraph.of(Neighbourhood.harary(2), THIRTY);
        Set<String> visited = new HashSet<>();
        String previous = null;
        String current = "p1";

        while (visited.add(current)) {
            String from = previous;
            String here = current;
            List<String> next =
                    graph.closedNeighbourhood(here).stream()
                            .filter(id -> !id.equals(here) && !id.equals(from))
                            .toList();
            assertThat(next).hasSizeBetween(1, 2);
            previous = here;
            current = next.get(0);
        }

        assertThat(visited).hasSize(30);
        assertThat(current).isEqualTo("p1");
    }

    @Test
    void theSeedFixesTheGraph() {
        NeighbourhoodGraph graph = NeighbourhoodGraph.of(Neighbourhood.harary(4), THIRTY);
        NeighbourhoodGraph again = NeighbourhoodGraph.of(Neighbourhood.harary(4), THIRTY);
        NeighbourhoodGraph reseeded =
                NeighbourhoodGraph.of(Neighbourhood.harary(4), new SecAggRound(7, ids(30), 100L));

        List<Set<String>> neighbourhoods =
                ids(30).stream().map(graph::closedNeighbourhood).toList();
        assertThat(ids(30).stream().map(again::closedNeighbourhood).toList())
                .isEqualTo(neighbourhoods);
        assertThat(ids(30).stream().map(reseeded::closedNeighbourhood).toList())
                .isNotEqualTo(neighbourhoods);
    }

    @Test
    void everyoneAndDenseHararyGraphsAreComplete() {
        SecAggRound nine = new SecAggRound(7, ids(9), 99L);

        for (Neighbourhood neighbourhood :
                List.of(
                        Neighbourhood.everyone(),
                        Neighbourhood.harary(8),
                        Neighbourhood.harary(12))) {
            NeighbourhoodGraph graph = NeighbourhoodGraph.of(neighbourhood, nine);
            for (String id : ids(9)) {
                assertThat(graph.closedNeighbourhood(id)).containsExactlyElementsOf(ids(9));
            }
        }
    }

    @Test
    void graphGivesRosterPositionsAndShareCoordinates() {
        NeighbourhoodGraph graph = NeighbourhoodGraph.of(Neighbourhood.everyone(), THIRTY);

        assertThat(graph.position("p1")).isZero();
        assertThat(graph.shareCoordinate("p30")).isEqualTo(30);
        assertThat(graph.precedes("p2", "p10")).isTrue();
        assertThat(graph.precedes("p10", "p2")).isFalse();
        assertThatThrownBy(() -> graph.position("p31"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("participant p31 is not on the roster of round 7");
    }

    @Test
    void recommendsAnEvenDegreeOfAtLeastThreeLog2N() {
        assertThat(Neighbourhood.recommendedFor(13)).isEqualTo(Neighbourhood.everyone());
        assertThat(Neighbourhood.recommendedFor(14)).isEqualTo(Neighbourhood.harary(12));
        assertThat(Neighbourhood.recommendedFor(100)).isEqualTo(Neighbourhood.harary(20));
        assertThat(Neighbourhood.recommendedFor(1000)).isEqualTo(Neighbourhood.harary(30));
    }

    @Test
    void closedNeighbourhoodSizeIsCappedByTheRoster() {
        assertThat(Neighbourhood.everyone().closedNeighbourhoodSize(12)).isEqualTo(12);
        assertThat(Neighbourhood.harary(8).closedNeighbourhoodSize(30)).isEqualTo(9);
        assertThat(Neighbourhood.harary(8).closedNeighbourhoodSize(6)).isEqualTo(6);
    }

    @Test
    void refusesOddOrTinyDegrees() {
        assertThatThrownBy(() -> Neighbourhood.harary(3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Harary degree must be even and >= 2, got 3");
        assertThatThrownBy(() -> Neighbourhood.harary(0))
                .hasMessage("Harary degree must be even and >= 2, got 0");
    }
}
