/** Core messages to and from the protobuf schema: headers, chunked payloads and their limits. */
package io.fedistill.grpc.wire;
