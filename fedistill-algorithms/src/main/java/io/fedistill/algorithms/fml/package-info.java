/**
 * FML (Shen et al. 2020), federated mutual learning: every participant trains its private model of
 * any architecture and a copy of a shared global model together by deep mutual learning; only the
 * global model travels and is averaged.
 */
package io.fedistill.algorithms.fml;
