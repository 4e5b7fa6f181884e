/**
 * The in-process runtime: virtual participants, compact state, failure injection, one-call runs.
 */
package io.fedistill.simulation;
