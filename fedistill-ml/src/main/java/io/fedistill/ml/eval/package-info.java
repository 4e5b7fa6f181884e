/** Scoring models on test data, on participants and on the coordinator. */
package io.fedistill.ml.eval;
