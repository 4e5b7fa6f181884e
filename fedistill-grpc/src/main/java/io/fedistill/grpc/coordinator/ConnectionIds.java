package io.fedistill.grpc.coordinator;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Carries the id of a participant's connection (from its Welcome) on its Reply and Heartbeat calls,
 * so the coordinator knows which participants a call may act for.
 */
public final class ConnectionIds {
    /** The request header that names the caller's connection. */
    public static final Metadata.Key<String> HEADER =
            Metadata.Key.of("fedistill-connection-id", Metadata.ASCII_STRING_MARSHALLER);

    static final Context.Key<String> CURRENT = Context.key("fedistill-connection-id");

    private ConnectionIds() {}

    /** Puts the caller's connection id, when given, into the call's context. */
    static ServerInterceptor interceptor() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                String id = headers.get(HEADER);
                Context context = Context.current().withValue(CURRENT, id == null ? "" : id);
                return Contexts.interceptCall(context, call, headers, next);
            }
        };
    }
}
