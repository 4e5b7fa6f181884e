/**
 * FedProto (Tan et al. 2022), the coordinator half: participants upload per-class feature
 * prototypes; the coordinator combines them into global prototypes, which participants pull their
 * features toward and classify by. The exchange is shared with FedTGP, whose coordinator learns the
 * global prototypes instead of averaging them ({@link
 * io.fedistill.algorithms.fedproto.PrototypeAggregator}).
 */
package io.fedistill.algorithms.fedproto;
