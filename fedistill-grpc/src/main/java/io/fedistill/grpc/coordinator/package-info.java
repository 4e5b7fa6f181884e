/** The coordinator's side of the network runtime: the gRPC service and the fleet it backs. */
package io.fedistill.grpc.coordinator;
