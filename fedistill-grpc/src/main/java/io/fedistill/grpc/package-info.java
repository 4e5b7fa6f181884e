/**
 * The network runtime: the coordinator's gRPC fleet ({@code coordinator}), the agent that hosts
 * participants in their own processes ({@code participant}) and the conversion between core
 * messages and the versioned protobuf schema {@code fedistill/v1/fleet.proto} ({@code wire}).
 */
package io.fedistill.grpc;
