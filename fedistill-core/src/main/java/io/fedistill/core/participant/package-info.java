/**
 * Hosting participants, shared by every runtime: the state store that commits a participant's state
 * only when the coordinator accepts its reply, and the host that routes requests to learners (with
 * optional simulated failures).
 */
package io.fedistill.core.participant;
