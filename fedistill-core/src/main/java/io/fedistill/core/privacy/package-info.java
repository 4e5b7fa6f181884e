/**
 * Differential privacy: accounting for the noise the runtime adds to uploads, as Rényi differential
 * privacy of the subsampled Gaussian mechanism converted to (epsilon, delta).
 */
package io.fedistill.core.privacy;
