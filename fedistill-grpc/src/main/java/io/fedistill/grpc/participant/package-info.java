/** The participant's side of the network runtime: the agent that hosts participants. */
package io.fedistill.grpc.participant;
