package io.fedistill.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.core.coordinator.Coordinator;
import io.fedistill.core.store.JdbcRunStore;
import io.fedistill.grpc.coordinator.GrpcFleet;
import io.fedistill.grpc.participant.ParticipantAgent;
import io.fedistill.grpc.security.CertificateAuthority;
import io.fedistill.grpc.wire.WireMessages;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's round loop, the run store and the whole network runtime (fleet, agent, wire,
 * security) must run without DJL or PyTorch: this module's class path, which is theirs, holds
 * neither, and a dependency that brought them in would fail here.
 */
class ModuleBoundaryTest {
    @Test
    void coreAndTheNetworkRuntimeLoadWithoutDjlOrPyTorch() throws Exception {
        for (String engineClass :
                List.of("ai.djl.ndarray.NDArray", "ai.djl.pytorch.engine.PtEngine")) {
            assertThatThrownBy(() -> Class.forName(engineClass))
                    .isInstanceOf(ClassNotFoundException.class);
        }
        for (Class<?> runtime :
                List.of(
                        Coordinator.class,
                        JdbcRunStore.class,
                        GrpcFleet.class,
                        ParticipantAgent.class,
                        WireMessages.class,
                        CertificateAuthority.class)) {
            assertThat(Class.forName(runtime.getName(), true, getClass().getClassLoader()))
                    .isSameAs(runtime);
        }
    }
}
