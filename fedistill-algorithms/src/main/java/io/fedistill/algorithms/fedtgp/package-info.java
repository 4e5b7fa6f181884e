/**
 * FedTGP (Zhang et al., AAAI 2024): FedProto's exchange, with global prototypes that the
 * coordinator learns: a small network maps each class to its prototype and is trained on the
 * participants' prototypes with an adaptive-margin contrastive loss, so classes stay apart by at
 * least the margin.
 */
package io.fedistill.algorithms.fedtgp;
