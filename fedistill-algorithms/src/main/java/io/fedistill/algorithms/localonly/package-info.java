/** Local-only training: the no-federation baseline. */
package io.fedistill.algorithms.localonly;
