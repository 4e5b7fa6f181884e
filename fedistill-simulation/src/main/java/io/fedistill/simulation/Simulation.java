package io.fedistill.simulation;

import io.fedistill.algorithms.Algorithm;
import io.fedistill.algorithms.FederationSetup;
import io.fedistill.algorithms.ParticipantSetup;
import io.fedistill.core.attack.AttackConfig;
import io.fedistill.core.attack.Attackers;
import io.fedistill.core.codec.Codec;
import io.fedistill.core.coordinator.Coordinator;
import io.fedistill.core.coordinator.ParticipantSelector;
import io.fedistill.core.coordinator.RoundListener;
import io.fedistill.core.coordinator.RunResult;
import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.learner.Learner;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.participant.FailureInjection;
import io.fedistill.core.participant.ParticipantHost;
import io.fedistill.core.participant.StateEntries;
import io.fedistill.core.participant.StateStore;
import io.fedistill.core.privacy.PrivacySettings;
import io.fedistill.core.privacy.PrivateStrategy;
import io.fedistill.core.secagg.SecureSumSettings;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.grpc.coordinator.GrpcFleet;
import io.fedistill.grpc.security.CertificateIdentities;
import io.fedistill.ml.data.DatasetSplits;
import io.fedistill.ml.data.ImageDataset;
import io.fedistill.ml.data.PublicData;
import io.fedistill.ml.eval.TestSetEvaluator;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.partition.FederatedPartition;
import io.fedistill.ml.partition.ParticipantSplit;
import io.fedistill.ml.train.TrainingSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * One federated run: builds the strategy and the coordinator in this process, and the participants
 * from a partition and per-participant architectures, hosted in this process (the default), in
 * worker processes ({@link Builder#optWorkers}), or, when serving a deployment, in participant
 * processes that join over the network ({@link Builder#optServe}); the algorithm's code is the same
 * in all three.
 */
public final class Simulation {
    /** The codec participant state is stored in, in this process and in worker processes. */
    private static final Codec STATE_CODEC = Codec.fp32();

    private final Builder b;

    private Simulation(Builder builder) {
        this.b = builder;
    }

    /** Returns a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Each participant's architecture, in partition order; fails naming one without a model. */
    private Map<String, ModelSpec> models() {
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        for (ParticipantSplit split : b.partition.splits()) {
            ModelSpec spec = b.models.get(split.participantId());
            if (spec == null) {
                throw new IllegalArgumentException(
                        "participant " + split.participantId() + " has no model");
            }
            models.put(split.participantId(), spec);
        }
        return models;
    }

    private FederationSetup federation() {
        DatasetSplits data = b.data;
        if (b.publicData != null) {
            if (b.publicData.pool() != data.train()) {
                throw new IllegalArgumentException(
                        "public data must index the training set of this simulation");
            }
            b.partition.checkDisjointFrom(b.publicData.indices());
        }
        FederationSetup federation =
                new FederationSetup(
                        b.seed,
                        data.train().imageShape(),
                        data.train().numClasses(),
                        models(),
                        b.training,
                        Optional.ofNullable(b.publicData));
        b.algorithm.validate(federation);
        return federation;
    }

    /**
     * Returns the named participants with their learners, state store and simulated failures: what
     * this process hosts, every participant in process, a slice in a worker process.
     *
     * @param ids the participants to host
     * @param signingAuthority the directory of the run's {@link SimulatedAuthority}, whose
     *     certificates the participants sign their secure sums with; empty when they do not sign
     */
    public ParticipantHost hostParticipants(
            Collection<String> ids, Optional<Path> signingAuthority) {
        Map<String, ModelSpec> models = models();
        // every process draws the attackers among all participants, so workers agree
        Attackers attackers =
                b.attack == null ? Attackers.none() : Attackers.of(b.attack, models.keySet());
        Map<String, Learner> learners = new LinkedHashMap<>();
        for (ParticipantSplit split : b.partition.splits()) {
            if (!ids.contains(split.participantId())) {
                continue;
            }
            ImageDataset train = b.data.train();
            if (attackers.attacks(split.participantId())) {
                train =
                        train.relabeled(
                                train.name() + " as " + split.participantId() + " trains on it",
                                b.attack.trainingLabels(train.labels(), train.numClasses()));
            }
            ParticipantSetup setup =
                    new ParticipantSetup(
                            split.participantId(),
                            models.get(split.participantId()),
                            train,
                            split,
                            b.data.commonTestSet(),
                            b.training,
                            Optional.ofNullable(b.publicData));
            learners.put(split.participantId(), b.algorithm.newLearner(setup, b.seed));
        }
        if (learners.size() != ids.size()) {
            throw new IllegalArgumentException(
                    "participants " + ids + " are not all in this federation's partition");
        }
        // a worker process hands its participants' state over for the coordinator's checkpoints
        return ParticipantHost.builder(learners, new StateStore(STATE_CODEC), b.seed)
                .optFailures(b.failures)
                .optAttackers(attackers)
                .optIdentities(signingAuthority.map(dir -> CertificateIdentities.hosted(dir, ids)))
                .optStateForCheckpoints()
                .build();
    }

    /** Runs every round and returns the reports and traffic. */
    public RunResult run() {
        FederationSetup federation = federation();
        // differential privacy's accountant assumes participants sampled independently
        Strategy strategy =
                b.privacy == null
                        ? b.algorithm.newStrategy(federation)
                        : new PrivateStrategy(
                                b.algorithm.newStrategy(federation),
                                b.privacy,
                                b.selector.fraction(),
                                b.codec);
        Coordinator.Builder coordinator =
                Coordinator.builder()
                        .setStrategy(strategy)
                        .setRounds(b.rounds)
                        .setSeed(b.seed)
                        .optSelector(
                                b.privacy == null ? b.selector : b.selector.withPoissonSampling())
                        .optDeadline(b.deadline)
                        .optEvaluateEvery(b.evaluateEvery);
        // without a common test set (PFLlib's protocol) no global model is scored
        b.data.commonTestSet()
                .ifPresent(
                        test ->
                                b.algorithm
                                        .coordinatorModel(federation)
                                        .ifPresent(
                                                spec ->
                                                        coordinator.optGlobalEvaluator(
                                                                new TestSetEvaluator(spec, test))));
        b.listeners.forEach(coordinator::addListener);
        if (b.serve != null) {
            // participants that join sign with the certificates of the deployment's authority
            return runOverNetwork(coordinator, Optional.empty());
        }
        SimulatedAuthority signing =
                b.algorithm.secureSums().filter(SecureSumSettings::signed).isPresent()
                        ? SimulatedAuthority.issue(models().keySet())
                        : null;
        try (signing) {
            Optional<SimulatedAuthority> authority = Optional.ofNullable(signing);
            return b.workers > 0
                    ? runOverNetwork(coordinator, authority)
                    : runInProcess(coordinator, authority);
        }
    }

    /** Runs the coordinator and every participant in this process. */
    private RunResult runInProcess(
            Coordinator.Builder coordinator, Optional<SimulatedAuthority> authority) {
        ParticipantHost host =
                hostParticipants(models().keySet(), authority.map(SimulatedAuthority::directory));
        StateStore states = host.states();
        if (b.resumeFrom != null) {
            states.restore(b.resumeFrom.participantStates(), b.resumeFrom.completedRounds());
            coordinator.optResume(b.resumeFrom.completedRounds(), b.resumeFrom.strategy());
        }
        if (b.checkpoints != null) {
            checkpointEachRound(coordinator, round -> states.drainChanges());
        }
        try (InProcessFleet fleet =
                new InProcessFleet(host, b.codec, authority.map(SimulatedAuthority::verifier))) {
            return coordinator.setBackend(fleet).build().run();
        }
    }

    /**
     * Hands the checkpoint sink each round's checkpoint: the strategy's snapshot and the
     * participants' state changes that {@code participantStates} collects for the round.
     */
    private void checkpointEachRound(
            Coordinator.Builder coordinator, IntFunction<Map<String, byte[]>> participantStates) {
        coordinator.addListener(
                new RoundListener() {
                    @Override
                    public void roundCheckpointed(int round, TensorRecord strategySnapshot) {
                        b.checkpoints.accept(
                                new SimulationCheckpoint(
                                        round, strategySnapshot, participantStates.apply(round)));
                    }
                });
    }

    /**
     * Collects the state every participant committed since the last checkpoint from the worker
     * processes (the host-level {@code fedistill.state} exchange), as {@code participant/key} to
     * encoded bytes: what the in-process store's {@code drainChanges} gives.
     */
    private Map<String, byte[]> drainParticipants(GrpcFleet fleet, int round) {
        List<Message> requests =
                models().keySet().stream()
                        .map(id -> Message.builder(round, MessageType.STATE, id).build())
                        .toList();
        List<Message> replies = exchangeAll(fleet, requests, "checkpoint");
        Map<String, byte[]> states = new TreeMap<>();
        for (Message reply : replies) {
            StateEntries.fromTensors(reply.tensors(), STATE_CODEC)
                    .forEach((key, bytes) -> states.put(reply.participantId() + '/' + key, bytes));
        }
        return states;
    }

    /** Puts every participant's state back in the worker processes as a checkpoint holds it. */
    private void restoreParticipants(GrpcFleet fleet, SimulationCheckpoint checkpoint) {
        Map<String, Map<String, byte[]>> byParticipant = new LinkedHashMap<>();
        models().keySet().forEach(id -> byParticipant.put(id, new LinkedHashMap<>()));
        checkpoint
                .participantStates()
                .forEach(
                        (key, bytes) -> {
                            int slash = key.indexOf('/');
                            byParticipant
                                    .computeIfAbsent(
                                            key.substring(0, slash), id -> new LinkedHashMap<>())
                                    .put(key.substring(slash + 1), bytes);
                        });
        List<Message> requests =
                byParticipant.entrySet().stream()
                        .map(
                                e ->
                                        Message.builder(
                                                        checkpoint.completedRounds(),
                                                        MessageType.RESTORE,
                                                        e.getKey())
                                                .optTensors(
                                                        StateEntries.toTensors(
                                                                e.getValue(), STATE_CODEC))
                                                .build())
                        .toList();
        exchangeAll(fleet, requests, "resume");
    }

    /** Exchanges runtime requests every participant must answer, or fails naming who did not. */
    private List<Message> exchangeAll(GrpcFleet fleet, List<Message> requests, String purpose) {
        ExchangeResult result = fleet.deliver(requests, b.deadline);
        List<String> failed = new ArrayList<>();
        result.failures().forEach(f -> failed.add(f.participantId() + ": " + f.reason()));
        result.replies().stream()
                .filter(Message::isError)
                .forEach(r -> failed.add(r.participantId() + ": " + r.error().orElse("")));
        fleet.settle(
                result.replies().stream()
                        .filter(r -> !r.isError())
                        .map(r -> r.replyTo().orElse(""))
                        .toList(),
                List.of());
        if (!failed.isEmpty()) {
            throw new IllegalStateException(
                    "the worker processes could not " + purpose + ": " + failed);
        }
        return result.replies();
    }

    /**
     * Runs the coordinator here and the participants elsewhere, reached over the network runtime:
     * in worker processes, each hosting a slice (participant i goes to worker i mod n) on loopback,
     * or in participant processes that join on their own ({@link ServeSettings}).
     */
    private RunResult runOverNetwork(
            Coordinator.Builder coordinator, Optional<SimulatedAuthority> authority) {
        List<String> ids = List.copyOf(models().keySet());
        if (b.serve != null) {
            int resumedAfter = 0;
            if (b.resumeFrom != null) {
                coordinator.optResume(b.resumeFrom.completedRounds(), b.resumeFrom.strategy());
                resumedAfter = b.resumeFrom.completedRounds();
            }
            return FederationServer.serve(coordinator, ids, b.seed, b.codec, b.serve, resumedAfter);
        }
        GrpcFleet.Builder loopback =
                GrpcFleet.builder().setParticipantIds(ids).optRunSeed(b.seed).optCodec(b.codec);
        authority.ifPresent(a -> loopback.optCredentialVerifier(a.verifier()));
        GrpcFleet fleet = loopback.build();
        try {
            int workers = Math.min(b.workers, ids.size());
            List<List<String>> slices = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                slices.add(new ArrayList<>());
            }
            for (int i = 0; i < ids.size(); i++) {
                slices.get(i % workers).add(ids.get(i));
            }
            WorkerProcesses processes =
                    WorkerProcesses.assign(
                            b.workerPool,
                            "127.0.0.1:" + fleet.port(),
                            slices,
                            authority.map(SimulatedAuthority::directory));
            processes.awaitConnected(fleet, ids.size(), b.workerStartTimeout);
            if (b.resumeFrom != null) {
                restoreParticipants(fleet, b.resumeFrom);
                coordinator.optResume(b.resumeFrom.completedRounds(), b.resumeFrom.strategy());
            }
            if (b.checkpoints != null) {
                checkpointEachRound(coordinator, round -> drainParticipants(fleet, round));
            }
            return coordinator.setBackend(fleet).build().run();
        } finally {
            fleet.close(); // ends the task streams: the workers leave the run
        }
    }

    /** Collects a simulation's parts; {@code set} values are required. */
    public static final class Builder {
        private DatasetSplits data;
        private FederatedPartition partition;
        private Map<String, ModelSpec> models;
        private Algorithm algorithm;
        private TrainingSettings training = TrainingSettings.defaults();
        private int rounds = -1;
        private long seed;
        private ParticipantSelector selector = ParticipantSelector.all();
        private int evaluateEvery = 1;
        private Duration deadline = Duration.ofMinutes(30);
        private Codec codec = Codec.fp32();
        private FailureInjection failures = FailureInjection.none();
        private PublicData publicData;
        private final List<RoundListener> listeners = new ArrayList<>();
        private int workers;
        private WorkerPool workerPool;
        private Duration workerStartTimeout = Duration.ofMinutes(3);
        private ServeSettings serve;
        private SimulationCheckpoint resumeFrom;
        private AttackConfig attack;
        private PrivacySettings privacy;
        private Consumer<SimulationCheckpoint> checkpoints;

        private Builder() {}

        /**
         * Runs the participants in {@code workers} worker processes of {@code pool} (0, the
         * default: in this process). The metrics are the same either way, to the last digit when
         * every process trains with one intra-op thread.
         */
        public Builder optWorkers(int workers, WorkerPool pool) {
            if (workers < 0) {
                throw new IllegalArgumentException("workers must be >= 0, got " + workers);
            }
            this.workers = workers;
            this.workerPool = workers > 0 ? Objects.requireNonNull(pool, "pool") : null;
            return this;
        }

        /**
         * Serves the federation over the network instead of hosting its participants: they join on
         * their own (each with its own data) and the run starts once all have.
         */
        public Builder optServe(ServeSettings serve) {
            this.serve = serve;
            return this;
        }

        /** Goes on from a checkpoint of a run with the same parts and seed. */
        public Builder optResumeFrom(SimulationCheckpoint checkpoint) {
            this.resumeFrom = checkpoint;
            return this;
        }

        /** Hands a checkpoint to {@code sink} after every round. */
        public Builder optCheckpoints(Consumer<SimulationCheckpoint> sink) {
            this.checkpoints = sink;
            return this;
        }

        /** Sets the public data every participant holds; it must be disjoint from the partition. */
        public Builder optPublicData(PublicData publicData) {
            this.publicData = publicData;
            return this;
        }

        /** Sets the training and test data. */
        public Builder setData(DatasetSplits data) {
            this.data = data;
            return this;
        }

        /** Sets how the training data is split among participants. */
        public Builder setPartition(FederatedPartition partition) {
            this.partition = partition;
            return this;
        }

        /** Sets each participant's architecture. */
        public Builder setModels(Map<String, ModelSpec> models) {
            this.models = new LinkedHashMap<>(models);
            return this;
        }

        /** Sets the algorithm. */
        public Builder setAlgorithm(Algorithm algorithm) {
            this.algorithm = algorithm;
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

        /** Sets local training (default {@link TrainingSettings#defaults()}). */
        public Builder optTraining(TrainingSettings training) {
            this.training = training;
            return this;
        }

        /** Sets participant selection (default: all). */
        public Builder optSelector(ParticipantSelector selector) {
            this.selector = selector;
            return this;
        }

        /** Evaluates every n-th round and the last. */
        public Builder optEvaluateEvery(int evaluateEvery) {
            this.evaluateEvery = evaluateEvery;
            return this;
        }

        /** Sets the deadline of every exchange. */
        public Builder optDeadline(Duration deadline) {
            this.deadline = deadline;
            return this;
        }

        /**
         * Makes some participants attack: their training labels or uploads are tampered with as
         * {@code attack} says (default: nobody attacks).
         */
        public Builder optAttack(AttackConfig attack) {
            this.attack = attack;
            return this;
        }

        /**
         * Makes the uploads differentially private (default: they are not): clipped, noised, and
         * the epsilon spent reported after every round.
         */
        public Builder optPrivacy(PrivacySettings privacy) {
            this.privacy = privacy;
            return this;
        }

        /** Sets the wire codec (default fp32). */
        public Builder optCodec(Codec codec) {
            this.codec = codec;
            return this;
        }

        /** Sets simulated failures (default none). */
        public Builder optFailures(FailureInjection failures) {
            this.failures = failures;
            return this;
        }

        /** Adds a progress listener. */
        public Builder addListener(RoundListener listener) {
            listeners.add(Objects.requireNonNull(listener));
            return this;
        }

        /** Validates and builds. */
        public Simulation build() {
            Objects.requireNonNull(data, "data is required");
            Objects.requireNonNull(partition, "partition is required");
            Objects.requireNonNull(models, "models are required");
            Objects.requireNonNull(algorithm, "algorithm is required");
            if (rounds < 1) {
                throw new IllegalArgumentException("rounds must be > 0, got " + rounds);
            }
            if (attack != null && serve != null) {
                throw new IllegalArgumentException(
                        "attacks are simulated; a served federation's participants run their own"
                                + " code");
            }
            if (workers > 0 && serve != null) {
                throw new IllegalArgumentException(
                        "a served federation's participants join on their own; it starts no"
                                + " workers");
            }
            if (serve != null
                    && (checkpoints != null
                            || (resumeFrom != null && !resumeFrom.participantStates().isEmpty()))) {
                throw new IllegalArgumentException(
                        "a served federation's participants keep their own state; its checkpoints"
                                + " hold the strategy alone");
            }
            return new Simulation(this);
        }
    }
}
