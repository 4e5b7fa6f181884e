/** The runtime-agnostic coordinator: round loop, participant selection, evaluation. */
package io.fedistill.core.coordinator;
