package io.fedistill.core.store;

import io.fedistill.core.codec.Codec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The coordinator's durable state over JDBC: each run, each completed round of each algorithm (its
 * report as the caller serialized it, and its numeric metrics as rows), the strategy checkpoint
 * after the latest round and the participants' committed state. A round and its checkpoint are
 * written in one transaction, so after a crash (even SIGKILL) the store holds exactly the rounds
 * that completed, each once, and a checkpoint that matches the last of them.
 *
 * <p>SQLite ({@code jdbc:sqlite:<file>}, one file in the run directory) by default; PostgreSQL
 * ({@code jdbc:postgresql://host/db?user=...}) by URL. Table names start with {@code fedistill_}.
 */
public final class JdbcRunStore implements AutoCloseable {
    private final Connection connection;
    private final String where;
    private final Codec codec = Codec.fp32();

    private JdbcRunStore(Connection connection, String where) {
        this.connection = connection;
        this.where = where;
    }

    /**
     * Opens (and, the first time, creates) the store at a JDBC URL.
     *
     * @throws StoreException naming the store when it cannot be opened
     */
    public static JdbcRunStore open(String jdbcUrl) {
        return open(jdbcUrl, Optional.empty());
    }

    /**
     * Opens the store at a JDBC URL with a password kept out of the URL (and so out of configs and
     * logs).
     *
     * @throws StoreException naming the store when it cannot be opened
     */
    public static JdbcRunStore open(String jdbcUrl, Optional<String> password) {
        String where = redacted(jdbcUrl);
        try {
            java.util.Properties properties = new java.util.Properties();
            password.ifPresent(p -> properties.setProperty("password", p));
            Connection connection = DriverManager.getConnection(jdbcUrl, properties);
            JdbcRunStore store = new JdbcRunStore(connection, where);
            if (jdbcUrl.startsWith("jdbc:sqlite:")) {
                // a round's checkpoint is one transaction; write-ahead logging commits it with one
                // sequential write instead of rewriting pages twice, and stays crash-safe
                try (Statement pragma = connection.createStatement()) {
                    pragma.execute("PRAGMA journal_mode=WAL");
                    pragma.execute("PRAGMA synchronous=NORMAL");
                }
            }
            store.createTables(jdbcUrl.startsWith("jdbc:postgresql:") ? "BYTEA" : "BLOB");
            return store;
        } catch (SQLException e) {
            throw new StoreException(
                    "cannot open the run store " + where + ": " + e.getMessage(), e);
        }
    }

    /** Returns the URL without its password, for messages and logs. */
    static String redacted(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***")
                .replaceAll("://([^:/@]+):[^@/]*@", "://$1:***@");
    }

    private void createTables(String blob) throws SQLException {
        try (Statement sql = connection.createStatement()) {
            sql.executeUpdate(
                    "CREATE TABLE IF NOT EXISTS fedistill_runs (run_id VARCHAR(300) PRIMARY KEY,"
                            + " name VARCHAR(300) NOT NULL, seed BIGINT NOT NULL,"
                            + " config TEXT NOT NULL, created_at BIGINT NOT NULL)");
            sql.executeUpdate(
                    "CREATE TABLE IF NOT EXISTS fedistill_rounds (run_id VARCHAR(300) NOT NULL,"
                            + " algorithm VARCHAR(300) NOT NULL, round INTEGER NOT NULL,"
                            + " report TEXT NOT NULL, finished_at BIGINT NOT NULL,"
                            + " PRIMARY KEY (run_id, algorithm, round))");
            sql.executeUpdate(
                    "CREATE TABLE IF NOT EXISTS fedistill_metrics (run_id VARCHAR(300) NOT NULL,"
                            + " algorithm VARCHAR(300) NOT NULL, round INTEGER NOT NULL,"
                            + " name VARCHAR(300) NOT NULL, value DOUBLE PRECISION,"
                            + " PRIMARY KEY (run_id, algorithm, round, name))");
            sql.executeUpdate(
                    "CREATE TABLE IF NOT EXISTS fedistill_checkpoints (run_id VARCHAR(300) NOT NULL,"
                            + " algorithm VARCHAR(300) NOT NULL, round INTEGER NOT NULL,"
                            + " strategy "
                            + blob
                            + " NOT NULL, PRIMARY KEY (run_id, algorithm))");
            sql.executeUpdate(
                    "CREATE TABLE IF NOT EXISTS fedistill_participant_states (run_id VARCHAR(300)"
                            + " NOT NULL, algorithm VARCHAR(300) NOT NULL, state_key VARCHAR(600)"
                            + " NOT NULL, state "
                            + blob
                            + " NOT NULL, PRIMARY KEY (run_id, algorithm, state_key))");
        }
    }

    /** Records a run, once; a second call with the same id leaves the first record. */
    public synchronized void recordRun(String runId, String name, long seed, String config) {
        transaction(
                "record run " + runId,
                () -> {
                    try (PreparedStatement exists =
                            connection.prepareStatement(
                                    "SELECT 1 FROM fedistill_runs WHERE run_id = ?")) {
                        exists.setString(1, runId);
                        try (ResultSet rows = exists.executeQuery()) {
                            if (rows.next()) {
                                return;
                            }
                        }
                    }
                    try (PreparedStatement insert =
                            connection.prepareStatement(
                                    "INSERT INTO fedistill_runs VALUES (?, ?, ?, ?, ?)")) {
                        insert.setString(1, runId);
                        insert.setString(2, name);
                        insert.setLong(3, seed);
                        insert.setString(4, config);
                        insert.setLong(5, System.currentTimeMillis());
                        insert.executeUpdate();
                    }
                });
    }

    /**
     * Records a completed round of an algorithm with its checkpoint, in one transaction.
     *
     * @param report the round's report, serialized by the caller (read back by {@link #reports})
     * @param metrics the round's numeric metrics (NaN stored as NULL)
     * @param checkpoint the strategy after the round and the participant state that changed in it
     *     (entries not given keep what the store holds)
     * @throws StoreException when the round is already recorded or the store fails
     */
    public synchronized void recordRound(
            String runId,
            String algorithm,
            int round,
            String report,
            Map<String, Double> metrics,
            RoundCheckpoint checkpoint) {
        transaction(
                "record round " + round + " of " + algorithm,
                () -> {
                    try (PreparedStatement insert =
                            connection.prepareStatement(
                                    "INSERT INTO fedistill_rounds VALUES (?, ?, ?, ?, ?)")) {
                        insert.setString(1, runId);
                        insert.setString(2, algorithm);
                        insert.setInt(3, round);
                        insert.setString(4, report);
                        insert.setLong(5, System.currentTimeMillis());
                        insert.executeUpdate();
                    }
                    try (PreparedStatement insert =
                            connection.prepareStatement(
                                    "INSERT INTO fedistill_metrics VALUES (?, ?, ?, ?, ?)")) {
                        for (Map.Entry<String, Double> metric : metrics.entrySet()) {
                            insert.setString(1, runId);
                            insert.setString(2, algorithm);
                            insert.setInt(3, round);
                            insert.setString(4, metric.getKey());
                            if (Double.isFinite(metric.getValue())) {
                                insert.setDouble(5, metric.getValue());
                            } else {
                                insert.setNull(5, java.sql.Types.DOUBLE);
                            }
                            insert.addBatch();
                        }
                        insert.executeBatch();
                    }
                    delete("fedistill_checkpoints", runId, algorithm);
                    try (PreparedStatement insert =
                            connection.prepareStatement(
                                    "INSERT INTO fedistill_checkpoints VALUES (?, ?, ?, ?)")) {
                        insert.setString(1, runId);
                        insert.setString(2, algorithm);
                        insert.setInt(3, checkpoint.round());
                        insert.setBytes(4, codec.encodeRecord(checkpoint.strategy()));
                        insert.executeUpdate();
                    }
                    // incremental: the entries given replace theirs; the others stay
                    try (PreparedStatement delete =
                                    connection.prepareStatement(
                                            "DELETE FROM fedistill_participant_states WHERE run_id"
                                                    + " = ? AND algorithm = ? AND state_key = ?");
                            PreparedStatement insert =
                                    connection.prepareStatement(
                                            "INSERT INTO fedistill_participant_states VALUES (?, ?,"
                                                    + " ?, ?)")) {
                        for (Map.Entry<String, byte[]> state :
                                checkpoint.participantStates().entrySet()) {
                            delete.setString(1, runId);
                            delete.setString(2, algorithm);
                            delete.setString(3, state.getKey());
                            delete.addBatch();
                            insert.setString(1, runId);
                            insert.setString(2, algorithm);
                            insert.setString(3, state.getKey());
                            insert.setBytes(4, state.getValue());
                            insert.addBatch();
                        }
                        delete.executeBatch();
                        insert.executeBatch();
                    }
                });
    }

    private void delete(String table, String runId, String algorithm) throws SQLException {
        try (PreparedStatement delete =
                connection.prepareStatement(
                        "DELETE FROM " + table + " WHERE run_id = ? AND algorithm = ?")) {
            delete.setString(1, runId);
            delete.setString(2, algorithm);
            delete.executeUpdate();
        }
    }

    /** Returns the recorded reports of an algorithm, by round, in round order. */
    public synchronized Map<Integer, String> reports(String runId, String algorithm) {
        return query(
                "read the rounds of " + algorithm,
                () -> {
                    Map<Integer, String> reports = new LinkedHashMap<>();
                    try (PreparedStatement select =
                            connection.prepareStatement(
                                    "SELECT round, report FROM fedistill_rounds WHERE run_id = ?"
                                            + " AND algorithm = ? ORDER BY round")) {
                        select.setString(1, runId);
                        select.setString(2, algorithm);
                        try (ResultSet rows = select.executeQuery()) {
                            while (rows.next()) {
                                reports.put(rows.getInt(1), rows.getString(2));
                            }
                        }
                    }
                    return reports;
                });
    }

    /** Returns the checkpoint after an algorithm's latest recorded round, if any. */
    public synchronized Optional<RoundCheckpoint> checkpoint(String runId, String algorithm) {
        return query(
                "read the checkpoint of " + algorithm,
                () -> {
                    int round;
                    byte[] strategy;
                    try (PreparedStatement select =
                            connection.prepareStatement(
                                    "SELECT round, strategy FROM fedistill_checkpoints WHERE"
                                            + " run_id = ? AND algorithm = ?")) {
                        select.setString(1, runId);
                        select.setString(2, algorithm);
                        try (ResultSet rows = select.executeQuery()) {
                            if (!rows.next()) {
                                return Optional.empty();
                            }
                            round = rows.getInt(1);
                            strategy = rows.getBytes(2);
                        }
                    }
                    Map<String, byte[]> states = new LinkedHashMap<>();
                    try (PreparedStatement select =
                            connection.prepareStatement(
                                    "SELECT state_key, state FROM fedistill_participant_states"
                                            + " WHERE run_id = ? AND algorithm = ? ORDER BY"
                                            + " state_key")) {
                        select.setString(1, runId);
                        select.setString(2, algorithm);
                        try (ResultSet rows = select.executeQuery()) {
                            while (rows.next()) {
                                states.put(rows.getString(1), rows.getBytes(2));
                            }
                        }
                    }
                    return Optional.of(
                            new RoundCheckpoint(round, codec.decodeRecord(strategy), states));
                });
    }

    /** Returns the numeric metrics recorded for an algorithm, {@code round -> name -> value}. */
    public synchronized Map<Integer, Map<String, Double>> metrics(String runId, String algorithm) {
        return query(
                "read the metrics of " + algorithm,
                () -> {
                    Map<Integer, Map<String, Double>> metrics = new LinkedHashMap<>();
                    try (PreparedStatement select =
                            connection.prepareStatement(
                                    "SELECT round, name, value FROM fedistill_metrics WHERE"
                                            + " run_id = ? AND algorithm = ? ORDER BY round, name")) {
                        select.setString(1, runId);
                        select.setString(2, algorithm);
                        try (ResultSet rows = select.executeQuery()) {
                            while (rows.next()) {
                                double value = rows.getDouble(3);
                                if (rows.wasNull()) {
                                    value = Double.NaN;
                                }
                                metrics.computeIfAbsent(rows.getInt(1), r -> new LinkedHashMap<>())
                                        .put(rows.getString(2), value);
                            }
                        }
                    }
                    return metrics;
                });
    }

    /** Returns the ids of the runs recorded in this store, oldest first. */
    public synchronized List<String> runs() {
        return query(
                "list the runs",
                () -> {
                    List<String> runs = new ArrayList<>();
                    try (Statement select = connection.createStatement();
                            ResultSet rows =
                                    select.executeQuery(
                                            "SELECT run_id FROM fedistill_runs ORDER BY"
                                                    + " created_at, run_id")) {
                        while (rows.next()) {
                            runs.add(rows.getString(1));
                        }
                    }
                    return runs;
                });
    }

    /** A step that talks to the database. */
    private interface SqlStep {
        void run() throws SQLException;
    }

    /** A query that talks to the database. */
    private interface SqlQuery<T> {
        T run() throws SQLException;
    }

    private void transaction(String what, SqlStep step) {
        try {
            connection.setAutoCommit(false);
            try {
                step.run();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException(
                    "cannot " + what + " in the run store " + where + ": " + e.getMessage(), e);
        }
    }

    private <T> T query(String what, SqlQuery<T> query) {
        try {
            return query.run();
        } catch (SQLException e) {
            throw new StoreException(
                    "cannot " + what + " from the run store " + where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new StoreException("cannot close the run store " + where, e);
        }
    }
}
