/** Named float tensors in plain Java memory: what every message and stored state is made of. */
package io.fedistill.core.tensor;
