/** FD, Federated Distillation: per-label mean logits exchanged instead of weights. */
package io.fedistill.algorithms.fd;
