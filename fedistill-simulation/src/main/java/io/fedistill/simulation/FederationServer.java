package io.fedistill.simulation;

import io.fedistill.core.codec.Codec;
import io.fedistill.core.coordinator.Coordinator;
import io.fedistill.core.coordinator.RunResult;
import io.fedistill.grpc.coordinator.GrpcFleet;
import java.time.Duration;
import java.util.List;

/**
 * Runs a coordinator whose participants join over the network ({@code fedistill serve}): listens,
 * waits for enough participants, then runs the rounds. It holds no model code, so a coordinator
 * whose strategy only aggregates runs it without DJL; the simulation's serve mode uses it too.
 */
public final class FederationServer {
    private FederationServer() {}

    /**
     * Serves a federation until its last round.
     *
     * @param coordinator the coordinator, ready but for its backend
     * @param participantIds every participant of the federation
     * @param runSeed the run seed, told to participants
     * @param codec the wire codec
     * @param serve where to listen, whom to admit and what to tell them
     * @param resumedAfter rounds a restarted coordinator completed before (0 for a fresh run):
     *     participants go back to that round's state
     * @throws ParticipantsMissingException when too few participants join in time
     */
    public static RunResult serve(
            Coordinator.Builder coordinator,
            List<String> participantIds,
            long runSeed,
            Codec codec,
            ServeSettings serve,
            int resumedAfter) {
        GrpcFleet.Builder network =
                GrpcFleet.builder()
                        .setParticipantIds(participantIds)
                        .optRunSeed(runSeed)
                        .optCodec(codec)
                        .optListen(serve.bindAddress(), serve.port())
                        .optFederation(serve.federation(), serve.algorithm())
                        .optSecurity(serve.tls(), serve.authenticator())
                        .optPlaintextBeyondLoopback(serve.plaintextBeyondLoopback())
                        .optMembership(true);
        if (resumedAfter > 0) {
            network.optResumedAfter(resumedAfter);
        }
        coordinator.optMinParticipants(serve.minParticipants());
        GrpcFleet fleet = network.build();
        try {
            serve.onListening().accept(fleet.port());
            awaitJoined(fleet, participantIds, serve.minParticipants(), serve.joinTimeout());
            return coordinator.setBackend(fleet).build().run();
        } finally {
            fleet.close(); // ends the task streams: participants leave
        }
    }

    private static void awaitJoined(
            GrpcFleet fleet, List<String> ids, int minimum, Duration timeout) {
        try {
            if (!fleet.awaitOnline(minimum, timeout)) {
                List<String> missing =
                        ids.stream().filter(id -> !fleet.online().contains(id)).toList();
                throw new ParticipantsMissingException(
                        (ids.size() - missing.size())
                                + " of "
                                + ids.size()
                                + " participants (at least "
                                + minimum
                                + " needed) joined within "
                                + timeout.toSeconds()
                                + " s; missing: "
                                + (missing.size() > 10
                                        ? missing.subList(0, 10)
                                                + " and "
                                                + (missing.size() - 10)
                                                + " more"
                                        : missing));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while participants were joining", e);
        }
    }
}
