package io.fedistill.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run store against SQLite (a file) and a real PostgreSQL server: the one {@code .ci/run}
 * starts and names in {@code FEDISTILL_TEST_POSTGRES_URL}. Under CI the PostgreSQL test must run;
 * elsewhere it is skipped when no server is named.
 */
class JdbcRunStoreTest {
    @TempDir Path dir;

    /** After round 1 both participants' state; after later rounds only p0's changed. */
    private static RoundCheckpoint checkpoint(int round) {
        Map<String, byte[]> states = new LinkedHashMap<>();
        states.put("p0/weights", new byte[] {1, 2, (byte) round});
        if (round == 1) {
            states.put("p1/weights", new byte[] {3, 4});
        }
        return new RoundCheckpoint(
                round, TensorRecord.of("global/w", Tensor.vector(round, 0.5f)), states);
    }

    private static void exercise(String url) {
        String run = "run-" + UUID.randomUUID();
        try (JdbcRunStore store = JdbcRunStore.open(url)) {
            store.recordRun(run, "tiny", 42, "name: tiny");
            store.recordRun(run, "tiny", 42, "name: tiny"); // once only
            store.recordRound(run, "fd", 1, "{\"round\":1}", Map.of("acc", 0.5), checkpoint(1));
            store.recordRound(
                    run,
                    "fd",
                    2,
                    "{\"round\":2}",
                    Map.of("acc", 0.6, "loss", Double.NaN),
                    checkpoint(2));
            assertThatThrownBy(
                            () ->
                                    store.recordRound(
                                            run, "fd", 2, "{}", Map.of("acc", 0.7), checkpoint(2)))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("cannot record round 2 of fd");
        }
        // a fresh connection sees what was committed, and the failed write left nothing behind
        try (JdbcRunStore store = JdbcRunStore.open(url)) {
            assertThat(store.runs()).contains(run);
            assertThat(store.reports(run, "fd"))
                    .containsExactly(Map.entry(1, "{\"round\":1}"), Map.entry(2, "{\"round\":2}"));
            assertThat(store.metrics(run, "fd").get(2)).containsEntry("acc", 0.6);
            assertThat(store.metrics(run, "fd").get(2).get("loss")).isNaN();
            RoundCheckpoint latest = store.checkpoint(run, "fd").orElseThrow();
            assertThat(latest.round()).isEqualTo(2);
            assertThat(latest.strategy()).isEqualTo(checkpoint(2).strategy());
            assertThat(latest.participantStates().get("p0/weights")).containsExactly(1, 2, 2);
            assertThat(latest.participantStates().get("p1/weights")).containsExactly(3, 4);
            assertThat(store.checkpoint(run, "fedavg")).isEmpty();
        }
    }

    @Test
    void sqliteKeepsRoundsOnceWithTheirCheckpoint() {
        exercise("jdbc:sqlite:" + dir.resolve("run.db"));
    }

    @Test
    void postgresqlKeepsRoundsOnceWithTheirCheckpoint() throws Exception {
        String url = System.getenv("FEDISTILL_TEST_POSTGRES_URL");
        if (url == null) {
            assumeTrue(
                    System.getenv("CI") == null,
                    "CI must provide a PostgreSQL server in FEDISTILL_TEST_POSTGRES_URL");
            assumeTrue(false, "no PostgreSQL server named in FEDISTILL_TEST_POSTGRES_URL");
        }
        try (Connection connection = DriverManager.getConnection(url)) {
            assertThat(connection.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
        }
        exercise(url);
    }

    @Test
    void unreachableStoresAreNamedWithoutTheirPassword() {
        assertThatThrownBy(
                        () ->
                                JdbcRunStore.open(
                                        "jdbc:postgresql://127.0.0.1:1/none?user=u&password=secret"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(
                        "cannot open the run store jdbc:postgresql://127.0.0.1:1/none?user=u&password=***")
                .hasMessageNotContaining("secret");
    }
}
