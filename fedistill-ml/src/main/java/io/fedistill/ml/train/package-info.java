/**
 * Local training: settings, composable losses (CE, distillation, proximal) and a per-call model
 * session.
 */
package io.fedistill.ml.train;
