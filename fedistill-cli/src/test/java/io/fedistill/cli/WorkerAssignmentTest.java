package io.fedistill.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerAssignmentTest {

    @Test
    void anAssignmentTravelsAsOneLineOfJson() {
        WorkerAssignment assignment =
                new WorkerAssignment(
                        "dsfl \"era\"\n", "127.0.0.1:4100", List.of("p00", "p02"), null);
        String line = assignment.toJson();
        assertThat(line).doesNotContain("\n");
        assertThat(WorkerAssignment.fromJson(line)).isEqualTo(assignment);
        WorkerAssignment signed =
                new WorkerAssignment("fd", "127.0.0.1:4100", List.of("p00"), "/tmp/ca dir");
        assertThat(WorkerAssignment.fromJson(signed.toJson())).isEqualTo(signed);
    }

    @Test
    void aLineThatIsNoAssignmentIsRefusedWithWhatIsWrong() {
        assertThatThrownBy(() -> WorkerAssignment.fromJson("{\"algorithm\": \"fd\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names an algorithm, a coordinator and participants");
        assertThatThrownBy(() -> WorkerAssignment.fromJson("fd 127.0.0.1:4100 p00"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a worker assignment");
    }
}
