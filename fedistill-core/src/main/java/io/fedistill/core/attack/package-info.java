/**
 * Simulated bad participants for robustness experiments: which participants attack, how an
 * attacker's upload is tampered with by tensor role before it leaves the participant, and how label
 * flipping changes its training labels. Counts and exact tensors are never touched.
 */
package io.fedistill.core.attack;
