package io.fedistill.core.participant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateEntriesTest {
    private static final Codec CODEC = Codec.fp32();

    @Test
    void aParticipantsStateTravelsAsTensorsAndComesBackWhole() {
        StateStore worker = new StateStore(CODEC);
        TensorRecord weights =
                TensorRecord.builder()
                        .put("layer.weight", Tensor.of(new int[] {2, 2}, new float[] {1, -2, 3, 4}))
                        .put("layer.bias", Tensor.of(new int[] {2}, new float[] {0.5f, 0}))
                        .build();
        TensorRecord logits = TensorRecord.builder().put("sums", Tensor.vector(7, 8, 9)).build();
        worker.open("p1", "r1", 1).save("weights", weights);
        worker.open("p2", "r2", 1).save("weights", logits);
        worker.commit("r1");
        worker.commit("r2");

        Map<String, byte[]> p1 = worker.drainChanges("p1");
        TensorRecord carried = StateEntries.toTensors(p1, CODEC);
        assertThat(carried.asMap())
                .containsOnlyKeys("weights::layer.weight", "weights::layer.bias");
        Map<String, byte[]> back = StateEntries.fromTensors(carried, CODEC);
        assertThat(back).containsOnlyKeys("weights");
        // the same record (a frame's message id is new each time it is encoded)
        assertThat(CODEC.decodeRecord(back.get("weights"))).isEqualTo(weights);
        // drained once: p1 has nothing new, p2 still has its change
        assertThat(worker.drainChanges("p1")).isEmpty();
        assertThat(worker.drainChanges("p2")).containsOnlyKeys("weights");

        StateStore fresh = new StateStore(CODEC);
        fresh.restore("p1", back, 3);
        assertThat(fresh.open("p1", "r3", 4).load("weights")).contains(weights);
        assertThat(fresh.open("p2", "r4", 4).load("weights")).isEmpty();
    }

    @Test
    void whatCannotTravelIsRefusedByName() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(
                "a::b",
                CODEC.encodeRecord(TensorRecord.builder().put("t", Tensor.vector(1)).build()));
        assertThatThrownBy(() -> StateEntries.toTensors(entries, CODEC))
                .hasMessageContaining("state key 'a::b'");
        assertThatThrownBy(
                        () ->
                                StateEntries.fromTensors(
                                        TensorRecord.builder()
                                                .put("loose", Tensor.vector(1))
                                                .build(),
                                        CODEC))
                .hasMessageContaining("tensor 'loose' names no state key");
    }
}
