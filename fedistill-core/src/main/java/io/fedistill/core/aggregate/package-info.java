/**
 * Aggregators that combine participants' tensors on the coordinator: the weighted mean, and robust
 * rules (coordinate-wise median and trimmed mean, Krum and multi-Krum) that bound the pull of bad
 * participants, chosen by name through {@link io.fedistill.core.aggregate.RobustAggregation}.
 */
package io.fedistill.core.aggregate;
