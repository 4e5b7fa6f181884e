/**
 * Participant-side pieces several algorithms share: opening, storing and evaluating a local model.
 */
package io.fedistill.algorithms.common;
