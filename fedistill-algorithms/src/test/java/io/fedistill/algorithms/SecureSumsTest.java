package io.fedistill.algorithms;

import static org.assertj.core.api.Assertions.assertThat;

import io.fedistill.core.secagg.SecureSumSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every algorithm that accepts signed secure aggregation says so through {@link
 * Algorithm#secureSums()}, which the simulation reads to issue its participants certificates.
 */
class SecureSumsTest {
    /** The options an algorithm cannot be created without. */
    private static final Map<String, Map<String, Object>> REQUIRED =
            Map.of("fml", Map.of("model", "mlp:32"));

    @Test
    void everyAlgorithmThatAcceptsSignedSecureSumsReportsThem() {
        List<String> accepting = new ArrayList<>();
        for (AlgorithmRegistry.Entry entry : AlgorithmRegistry.entries()) {
            Map<String, Object> required = REQUIRED.getOrDefault(entry.name(), Map.of());
            Map<String, Object> signed = new HashMap<>(required);
            signed.put("secure", true);
            signed.put("secureSigned", true);
            Algorithm algorithm;
            try {
                algorithm = AlgorithmRegistry.create(entry.name(), signed);
            } catch (IllegalArgumentException refused) {
                // refused for secure aggregation itself, not for anything else
                assertThat(refused.getMessage()).as(entry.name()).contains("secure");
                continue;
            }
            accepting.add(entry.name());
            assertThat(algorithm.secureSums())
                    .as(entry.name())
                    .get()
                    .extracting(SecureSumSettings::signed)
                    .isEqualTo(true);
            assertThat(AlgorithmRegistry.create(entry.name(), required).secureSums())
                    .as(entry.name() + " without secure")
                    .isEmpty();
        }
        assertThat(accepting)
                .containsExactlyInAnyOrder(
                        "fedavg", "fedprox", "fd", "faug", "fedmd", "dsfl", "lg-fedavg", "fml");
    }
}
