/** Seed derivation: one run seed split per round, participant and purpose. */
package io.fedistill.core.seed;
