/** What a run records: per-round reports, evaluations and exact byte counts. */
package io.fedistill.core.runlog;
