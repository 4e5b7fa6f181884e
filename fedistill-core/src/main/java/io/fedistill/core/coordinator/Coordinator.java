package io.fedistill.core.coordinator;

import io.fedistill.core.fleet.Channel;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.FleetBackend;
import io.fedistill.core.fleet.ParticipantFailure;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.runlog.EvaluationSummary;
import io.fedistill.core.runlog.RoundReport;
import io.fedistill.core.runlog.TrafficLedger;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.TensorRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The runtime-agnostic round loop: selects participants, lets the strategy run each round through a
 * validating, byte-counting fleet, evaluates, and reports to listeners.
 */
public final class Coordinator {
    private final FleetBackend backend;
    private final Strategy strategy;
    private final int rounds;
    private final long seed;
    private final ParticipantSelector selector;
    private final Duration deadline;
    private final int evaluateEvery;
    private final GlobalModelEvaluator globalEvaluator;
    private final boolean globalScoreFromParticipants;
    private final List<RoundListener> listeners;
    private final int completedRounds;
    private final int minParticipants;
    private final TensorRecord resumeSnapshot;

    /**
     * The section of a round's snapshot that holds what the fleet keeps between rounds (top-k's
     * feedback on tasks), beside the strategy's own tensors; present only when the fleet keeps
     * something.
     */
    static final String FLEET_SECTION = "fedistill.fleet";

    private Coordinator(Builder b) {
        this.backend = b.backend;
        this.strategy = b.strategy;
        this.rounds = b.rounds;
        this.seed = b.seed;
        this.selector = b.selector;
        this.deadline = b.deadline;
        this.evaluateEvery = b.evaluateEvery;
        this.globalEvaluator = b.globalEvaluator;
        this.globalScoreFromParticipants = b.globalScoreFromParticipants;
        this.listeners = List.copyOf(b.listeners);
        this.completedRounds = b.completedRounds;
        this.minParticipants = b.minParticipants;
        this.resumeSnapshot = b.resumeSnapshot;
    }

    /** Returns a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs every round not yet completed (all of them unless resumed) and returns their reports.
     */
    public RunResult run() {
        if (completedRounds > 0) {
            TensorRecord.Builder strategyPart = TensorRecord.builder();
            resumeSnapshot.names().stream()
                    .filter(name -> !name.startsWith(FLEET_SECTION + '/'))
                    .forEach(
                            name ->
                                    strategyPart.put(
                                            name,
                                            resumeSnapshot.get(name),
                                            resumeSnapshot.role(name)));
            strategy.restore(strategyPart.build());
            backend.restore(resumeSnapshot.section(FLEET_SECTION));
        }
        List<RoundReport> reports = new ArrayList<>();
        for (int round = completedRounds + 1; round <= rounds; round++) {
            RoundReport report = runRound(round);
            reports.add(report);
            TensorRecord fleetState = backend.snapshot();
            TensorRecord snapshot =
                    fleetState.isEmpty()
                            ? strategy.snapshot()
                            : TensorRecord.builder()
                                    .putAll(strategy.snapshot())
                                    .putSection(FLEET_SECTION, fleetState)
                                    .build();
            int finished = round;
            listeners.forEach(l -> l.roundCheckpointed(finished, snapshot));
        }
        return new RunResult(reports);
    }

    private RoundReport runRound(int round) {
        awaitMinimum(round);
        long start = System.nanoTime();
        TrafficLedger ledger = new TrafficLedger();
        List<String> selected = selector.select(backend.participantIds(), round, seed);
        listeners.forEach(l -> l.roundStarted(round, selected));
        BoundaryFleet fleet =
                new BoundaryFleet(backend, round, Channel.ALGORITHM, deadline, ledger);
        Metrics strategyMetrics =
                strategy.runRound(new RoundContext(round, rounds, seed, selected), fleet);
        Optional<EvaluationSummary> evaluation = Optional.empty();
        List<ParticipantFailure> evaluationFailures = List.of();
        if (evaluateEvery > 0 && (round % evaluateEvery == 0 || round == rounds)) {
            BoundaryFleet evalFleet =
                    new BoundaryFleet(backend, round, Channel.EVALUATION, deadline, ledger);
            evaluation = Optional.of(evaluate(round, evalFleet));
            evaluationFailures = evalFleet.failures();
        }
        RoundReport report =
                new RoundReport(
                        round,
                        selected,
                        fleet.failures(),
                        evaluationFailures,
                        ledger.entries(),
                        (System.nanoTime() - start) / 1e9,
                        strategyMetrics,
                        evaluation);
        listeners.forEach(l -> l.roundFinished(report));
        return report;
    }

    private void awaitMinimum(int round) {
        try {
            if (!backend.awaitParticipants(minParticipants, deadline)) {
                throw new IllegalStateException(
                        "round "
                                + round
                                + " needs "
                                + minParticipants
                                + " participants; fewer were online within "
                                + deadline.toSeconds()
                                + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for participants", e);
        }
    }

    private EvaluationSummary evaluate(int round, BoundaryFleet fleet) {
        Optional<TensorRecord> global = strategy.globalModel();
        TensorRecord payload = strategy.evaluationPayload();
        List<Message> requests = new ArrayList<>();
        for (String id : backend.participantIds()) {
            requests.add(
                    Message.builder(round, MessageType.EVALUATE, id).optTensors(payload).build());
        }
        ExchangeResult result = fleet.exchange(requests, EvaluationProtocol.replySpec());
        Map<String, Double> testAccuracy = new LinkedHashMap<>();
        Map<String, Double> localAccuracy = new LinkedHashMap<>();
        Map<String, Integer> localSamples = new LinkedHashMap<>();
        Map<String, Integer> predictedClasses = new LinkedHashMap<>();
        double testLoss = 0;
        double localLoss = 0;
        int tested = 0;
        int locallyTested = 0;
        for (Message reply : result.replies()) {
            String id = reply.participantId();
            Metrics m = reply.metrics();
            // a participant that holds no common test set reports its local scores only; a
            // group of scores counts only when all of it is there
            if (EvaluationProtocol.hasTestScores(m)) {
                testAccuracy.put(id, m.get(EvaluationProtocol.TEST_ACCURACY));
                predictedClasses.put(id, (int) m.get(EvaluationProtocol.TEST_PREDICTED_CLASSES));
                testLoss += m.get(EvaluationProtocol.TEST_LOSS);
                tested++;
            }
            if (EvaluationProtocol.hasLocalScores(m)) {
                localAccuracy.put(id, m.get(EvaluationProtocol.LOCAL_ACCURACY));
                localSamples.put(id, (int) m.get(EvaluationProtocol.LOCAL_SAMPLES));
                localLoss += m.get(EvaluationProtocol.LOCAL_LOSS);
                locallyTested++;
            }
        }
        OptionalDouble globalAccuracy = OptionalDouble.empty();
        OptionalDouble globalLoss = OptionalDouble.empty();
        if (global.isPresent() && globalEvaluator != null) {
            GlobalModelEvaluator.Score score = globalEvaluator.evaluate(global.get());
            globalAccuracy = OptionalDouble.of(score.accuracy());
            globalLoss = OptionalDouble.of(score.loss());
        } else if (globalScoreFromParticipants
                && strategy.participantsRunGlobalModel()
                && tested > 0) {
            globalAccuracy = testAccuracy.values().stream().mapToDouble(d -> d).average();
            globalLoss = OptionalDouble.of(testLoss / tested);
        }
        return new EvaluationSummary(
                testAccuracy,
                tested == 0 ? Double.NaN : testLoss / tested,
                localAccuracy,
                localSamples,
                locallyTested == 0 ? Double.NaN : localLoss / locallyTested,
                predictedClasses,
                globalAccuracy,
                globalLoss);
    }

    /** Collects a coordinator's parts; {@code set} values are required. */
    public static final class Builder {
        private FleetBackend backend;
        private Strategy strategy;
        private int rounds = -1;
        private long seed;
        private ParticipantSelector selector = ParticipantSelector.all();
        private Duration deadline = Duration.ofMinutes(30);
        private int evaluateEvery = 1;
        private GlobalModelEvaluator globalEvaluator;
        private boolean globalScoreFromParticipants;
        private final List<RoundListener> listeners = new ArrayList<>();
        private int completedRounds;
        private TensorRecord resumeSnapshot = TensorRecord.empty();
        private int minParticipants = 1;

        /**
         * Sets how many participants must be reachable before a round starts (default 1); a round
         * waits up to the deadline for them, then the run stops naming the round.
         */
        public Builder optMinParticipants(int minParticipants) {
            if (minParticipants < 1) {
                throw new IllegalArgumentException(
                        "minParticipants must be >= 1, got " + minParticipants);
            }
            this.minParticipants = minParticipants;
            return this;
        }

        private Builder() {}

        /**
         * Resumes a run after {@code completedRounds}: the strategy is restored from the snapshot
         * taken after that round (see {@link RoundListener#roundCheckpointed}) and the run goes on
         * with the next round. The runtime must hold the participants' state of the same moment.
         */
        public Builder optResume(int completedRounds, TensorRecord strategySnapshot) {
            this.completedRounds = completedRounds;
            this.resumeSnapshot = Objects.requireNonNull(strategySnapshot);
            return this;
        }

        /** Sets the runtime that reaches participants. */
        public Builder setBackend(FleetBackend backend) {
            this.backend = backend;
            return this;
        }

        /** Sets the algorithm's coordinator half. */
        public Builder setStrategy(Strategy strategy) {
            this.strategy = strategy;
            return this;
        }

        /** Sets the number of rounds. */
        public Builder setRounds(int rounds) {
            this.rounds = rounds;
            return this;
        }

        /** Sets the run seed. */
        public Builder setSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Sets how participants are selected each round (default: all). */
        public Builder optSelector(ParticipantSelector selector) {
            this.selector = selector;
            return this;
        }

        /** Sets the deadline of every exchange (default 30 minutes). */
        public Builder optDeadline(Duration deadline) {
            this.deadline = deadline;
            return this;
        }

        /** Evaluates every n-th round and the last (default: every round); 0 never evaluates. */
        public Builder optEvaluateEvery(int evaluateEvery) {
            this.evaluateEvery = evaluateEvery;
            return this;
        }

        /** Sets the scorer of the coordinator's global model, for algorithms that keep one. */
        public Builder optGlobalEvaluator(GlobalModelEvaluator globalEvaluator) {
            this.globalEvaluator = globalEvaluator;
            return this;
        }

        /**
         * Scores the global model, where participants run it, by the participants' own test sets:
         * the mean of the test accuracy and loss they report for it. What a coordinator without
         * model code or test data gives as the global score; a global evaluator, where set, takes
         * precedence.
         */
        public Builder optGlobalScoreFromParticipants() {
            this.globalScoreFromParticipants = true;
            return this;
        }

        /** Adds a progress listener. */
        public Builder addListener(RoundListener listener) {
            listeners.add(Objects.requireNonNull(listener));
            return this;
        }

        /** Validates and builds. */
        public Coordinator build() {
            Objects.requireNonNull(backend, "backend is required");
            Objects.requireNonNull(strategy, "strategy is required");
            if (rounds < 1) {
                throw new IllegalArgumentException("rounds must be > 0, got " + rounds);
            }
            if (completedRounds < 0 || completedRounds > rounds) {
                throw new IllegalArgumentException(
                        "completed rounds must be in 0.." + rounds + ", got " + completedRounds);
            }
            if (evaluateEvery < 0) {
                throw new IllegalArgumentException(
                        "evaluateEvery must be >= 0, got " + evaluateEvery);
            }
            if (deadline.isNegative() || deadline.isZero()) {
                throw new IllegalArgumentException("deadline must be positive, got " + deadline);
            }
            return new Coordinator(this);
        }
    }
}
