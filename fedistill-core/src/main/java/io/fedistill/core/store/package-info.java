/**
 * Durable coordinator state over JDBC: runs, rounds, per-round metrics, strategy checkpoints and
 * participant state, in SQLite by default and PostgreSQL by URL.
 */
package io.fedistill.core.store;
