/**
 * FedProto (Tan et al. 2022): participants of any architecture whose features share one width
 * exchange per-class feature prototypes; each pulls its features toward the global prototypes and
 * classifies by the nearest one. {@link io.fedistill.algorithms.fedproto.PrototypeLearner} is the
 * participant half FedTGP shares.
 */
package io.fedistill.algorithms.fedproto;
