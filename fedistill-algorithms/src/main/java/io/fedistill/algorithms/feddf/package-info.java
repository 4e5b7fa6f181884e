/** FedDF: per-architecture averaging fused by ensemble distillation on unlabeled public data. */
package io.fedistill.algorithms.feddf;
