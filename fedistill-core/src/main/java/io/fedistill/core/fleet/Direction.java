package io.fedistill.core.fleet;

/** Which way bytes travel. */
public enum Direction {
    /** Coordinator to participant. */
    DOWN,
    /** Participant to coordinator. */
    UP
}
