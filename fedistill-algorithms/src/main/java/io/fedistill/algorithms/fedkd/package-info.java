/**
 * FedKD (Wu et al. 2022): each participant keeps a private mentor (its own model) and trains a
 * small shared mentee beside it by adaptive mutual and hidden-representation distillation; only the
 * mentee is averaged and travels, its updates optionally compressed by truncated SVD.
 */
package io.fedistill.algorithms.fedkd;
