package io.fedistill.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * What a worker process hosts in one run of a parallel simulation: which of the experiment's
 * algorithms, which participants, and where their coordinator listens. Travels as one line of JSON
 * on the worker's standard input.
 *
 * @param algorithm the algorithm's label in the experiment
 * @param coordinator the coordinator's address, {@code host:port}
 * @param participants the participant ids to host
 * @param signingAuthority the directory of the run's certificates, when its secure sums are signed;
 *     null otherwise
 */
record WorkerAssignment(
        String algorithm, String coordinator, List<String> participants, String signingAuthority) {
    private static final ObjectMapper JSON =
            new ObjectMapper()
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    WorkerAssignment {
        if (algorithm == null || coordinator == null || participants == null) {
            throw new IllegalArgumentException(
                    "a worker assignment names an algorithm, a coordinator and participants");
        }
        participants = List.copyOf(participants);
    }

    /** Returns the assignment as one line of JSON. */
    String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a worker assignment", e);
        }
    }

    /**
     * Reads an assignment from its line of JSON.
     *
     * @throws IllegalArgumentException naming what is wrong with the line
     */
    static WorkerAssignment fromJson(String line) {
        try {
            return JSON.readValue(line, WorkerAssignment.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "not a worker assignment: " + e.getOriginalMessage(), e);
        }
    }
}
