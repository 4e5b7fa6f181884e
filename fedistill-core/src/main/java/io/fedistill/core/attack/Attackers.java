package io.fedistill.core.attack;

import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.seed.Seeds;
import java.util.Collection;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * The participants of a simulation that attack, and how: what a {@link
 * io.fedistill.core.participant.ParticipantHost} passes each reply through before it leaves.
 *
 * @param attack what the attackers do, or empty for a federation without attackers
 * @param ids the attacking participants
 */
public record Attackers(Optional<AttackConfig> attack, Set<String> ids) {

    /** Copies the ids. */
    public Attackers {
        ids = Set.copyOf(ids);
        if (attack.isEmpty() && !ids.isEmpty()) {
            throw new IllegalArgumentException("attackers " + ids + " without an attack");
        }
    }

    /** Returns the federation without attackers. */
    public static Attackers none() {
        return new Attackers(Optional.empty(), Set.of());
    }

    /** Returns the attackers {@code attack} picks among every participant of the federation. */
    public static Attackers of(AttackConfig attack, Collection<String> allParticipants) {
        return new Attackers(Optional.of(attack), attack.attackers(allParticipants));
    }

    /** Returns whether the participant attacks. */
    public boolean attacks(String participantId) {
        return ids.contains(participantId);
    }

    /**
     * Returns whether an attacker's upload left exactly as trained although the attack acts on
     * uploads: the reply holds no tensor of a role the attack changes (a feature attack on an
     * algorithm that uploads weights, say), so the run measures no attack there. Label flipping,
     * which acts on training, never counts.
     *
     * @param reply what the participant's learner answered
     * @param tampered what {@link #tamper} made of it
     */
    public boolean leftUnchanged(Message reply, Message tampered) {
        return attacks(reply.participantId())
                && attack.orElseThrow().kind() != AttackKind.LABEL_FLIPPING
                && !reply.isError()
                && !reply.type().equals(MessageType.EVALUATE)
                && !reply.tensors().isEmpty()
                && tampered.tensors().equals(reply.tensors());
    }

    /**
     * Returns the reply an attacker sends instead of {@code reply}: its tensors tampered with by
     * role (evaluation replies and errors pass unchanged, so the run still measures the attacker's
     * model). A reply of an honest participant passes unchanged.
     *
     * @param reply what the participant's learner answered
     * @param runSeed the run seed, from which the attack's random draws derive
     */
    public Message tamper(Message reply, long runSeed) {
        if (!attacks(reply.participantId())
                || reply.isError()
                || reply.type().equals(MessageType.EVALUATE)
                || reply.tensors().isEmpty()) {
            return reply;
        }
        Random random =
                new Random(Seeds.derive(runSeed, reply.round(), reply.participantId(), "attack"));
        return reply.withTensors(attack.orElseThrow().apply(reply.tensors(), random));
    }
}
