package io.fedistill.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fedistill.core.codec.Codec;
import io.fedistill.core.fleet.Direction;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A whole experiment as written in YAML: data, partition, participants and their models, training,
 * rounds, and the algorithms to compare on the same partition. Validated on construction; every
 * error names its field.
 *
 * @param name the run's name, used for its output directory
 * @param seed the run seed
 * @param dataset the data
 * @param participants number of participants
 * @param partition how data is split
 * @param publicData training images held out as public data (optional)
 * @param models the default model assignment
 * @param training local training settings
 * @param rounds number of rounds
 * @param fraction share of participants selected per round
 * @param minParticipants lowest number selected per round
 * @param evaluateEvery evaluate every n-th round (and the last)
 * @param deadlineSeconds deadline of every exchange
 * @param threads intra-op threads of the engine
 * @param workers worker processes that host the participants (0: all in this process; default: one
 *     per core on a machine with two cores or more, else 0)
 * @param codec how tensors cross the wire, as a canonical codec spec (default {@code fp32}:
 *     lossless); YAML may give it as a map (see {@link CodecSpecDeserializer}); an algorithm may
 *     set its own, as it may its own attack and privacy
 * @param failures simulated failures (optional)
 * @param attack simulated attackers (optional; simulations only)
 * @param privacy differential privacy of the uploads (optional)
 * @param algorithms the algorithms to run
 * @param outputDir where run directories are created
 * @param store the run store's JDBC URL (optional; default: SQLite {@code run.db} in the run
 *     directory); a PostgreSQL password comes from {@code FEDISTILL_STORE_PASSWORD}, never the file
 */
public record ExperimentConfig(
        String name,
        Long seed,
        DatasetConfig dataset,
        Integer participants,
        PartitionConfig partition,
        PublicDataConfig publicData,
        JsonNode models,
        TrainingConfig training,
        Integer rounds,
        Double fraction,
        Integer minParticipants,
        Integer evaluateEvery,
        Integer deadlineSeconds,
        Integer threads,
        Integer workers,
        @JsonDeserialize(using = CodecSpecDeserializer.class) String codec,
        FailureConfig failures,
        SimulatedAttackConfig attack,
        PrivacyConfig privacy,
        List<AlgorithmConfig> algorithms,
        String outputDir,
        String store) {

    /**
     * Simulated failures.
     *
     * @param dropProbability probability a participant fails a training request
     * @param crashes participant id to the rounds in which it fails
     */
    public record FailureConfig(Double dropProbability, Map<String, List<Integer>> crashes) {
        /** Applies defaults and checks values. */
        public FailureConfig {
            dropProbability = dropProbability == null ? 0.0 : dropProbability;
            if (!(dropProbability >= 0 && dropProbability < 1)) {
                throw new ConfigException(
                        "failures.dropProbability must be in [0, 1), got " + dropProbability);
            }
            crashes = crashes == null ? Map.of() : Map.copyOf(crashes);
        }
    }

    /** The most worker processes an experiment may start. */
    public static final int MAX_WORKERS = 256;

    /** The longest run name: it becomes part of a directory name. */
    public static final int MAX_NAME_LENGTH = 100;

    /** Applies defaults and checks values, naming the field. */
    public ExperimentConfig {
        name = name == null ? "experiment" : name;
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new ConfigException(
                    "name may hold letters, digits, '.', '_' and '-' only, got '" + name + "'");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            // the run directory adds '-yyyyMMdd-HHmmss' and file systems stop at 255 bytes
            throw new ConfigException(
                    "name must be at most "
                            + MAX_NAME_LENGTH
                            + " characters (it names the run directory), got "
                            + name.length()
                            + ": '"
                            + name
                            + "'");
        }
        seed = seed == null ? 42L : seed;
        models = models == null || models.isNull() ? null : models;
        dataset =
                dataset == null
                        ? new DatasetConfig(null, null, null, null, null, null, null)
                        : dataset;
        participants = participants == null ? 10 : participants;
        if (participants < 1) {
            throw new ConfigException("participants must be > 0, got " + participants);
        }
        partition = partition == null ? new PartitionConfig(null, null, null, null) : partition;
        training =
                training == null
                        ? new TrainingConfig(null, null, null, null, null, null, null, null)
                        : training;
        rounds = rounds == null ? 10 : rounds;
        if (rounds < 1) {
            throw new ConfigException("rounds must be > 0, got " + rounds);
        }
        fraction = fraction == null ? 1.0 : fraction;
        if (!(fraction > 0 && fraction <= 1)) {
            throw new ConfigException("fraction must be in (0, 1], got " + fraction);
        }
        minParticipants = minParticipants == null ? 1 : minParticipants;
        if (minParticipants < 1 || minParticipants > participants) {
            throw new ConfigException(
                    "minParticipants must be in 1.."
                            + participants
                            + " (participants), got "
                            + minParticipants);
        }
        evaluateEvery = evaluateEvery == null ? 1 : evaluateEvery;
        if (evaluateEvery < 1) {
            throw new ConfigException("evaluateEvery must be > 0, got " + evaluateEvery);
        }
        deadlineSeconds = deadlineSeconds == null ? 1800 : deadlineSeconds;
        if (deadlineSeconds < 1) {
            throw new ConfigException("deadlineSeconds must be > 0, got " + deadlineSeconds);
        }
        threads =
                threads == null ? Math.max(1, Runtime.getRuntime().availableProcessors()) : threads;
        if (threads < 1) {
            throw new ConfigException("threads must be > 0, got " + threads);
        }
        workers = workers == null ? defaultWorkers() : workers;
        codec = canonicalCodec("", codec == null ? "fp32" : codec);
        if (workers < 0 || workers > MAX_WORKERS) {
            throw new ConfigException(
                    "workers must be in 0.."
                            + MAX_WORKERS
                            + " (0 runs every participant in this"
                            + " process), got "
                            + workers);
        }
        failures = failures == null ? new FailureConfig(null, null) : failures;
        if (algorithms == null || algorithms.isEmpty()) {
            throw new ConfigException(
                    "algorithms must list at least one algorithm, e.g. [{name: fedavg}]");
        }
        algorithms = List.copyOf(algorithms);
        for (AlgorithmConfig algorithm : algorithms) {
            checkCombination(
                    algorithm,
                    algorithm.codec() != null ? algorithm.codec() : codec,
                    algorithm.name().equals("local-only")
                            ? null
                            : algorithm.privacy() != null ? algorithm.privacy() : privacy,
                    minParticipants);
            checkSelectsAttackers(algorithm, attack, participants);
        }
        Set<String> labels = new HashSet<>();
        for (AlgorithmConfig algorithm : algorithms) {
            if (!labels.add(algorithm.label())) {
                throw new ConfigException(
                        "algorithms: two entries share the label '"
                                + algorithm.label()
                                + "'; give each a distinct label");
            }
        }
        outputDir = outputDir == null ? "runs" : outputDir;
        if (store != null) {
            if (!store.startsWith("jdbc:sqlite:") && !store.startsWith("jdbc:postgresql:")) {
                throw new ConfigException(
                        "store must be a JDBC URL starting jdbc:sqlite: or jdbc:postgresql:, got '"
                                + store
                                + "'");
            }
            if (store.toLowerCase(java.util.Locale.ROOT).contains("password")) {
                throw new ConfigException(
                        "store must not hold a password (the URL is written to the run's"
                                + " config.yaml); set FEDISTILL_STORE_PASSWORD instead");
            }
        }
        List<String> ids = participantIds(participants);
        for (String id : failures.crashes().keySet()) {
            if (!ids.contains(id)) {
                throw new ConfigException(
                        "failures.crashes names unknown participant '" + id + "'");
            }
        }
        for (AlgorithmConfig algorithm : algorithms) {
            if (algorithm.models() == null && models == null) {
                throw new ConfigException(
                        "models is required (or algorithms." + algorithm.label() + ".models)");
            }
            ModelAssignment.resolve(
                    algorithm.models() != null
                            ? "algorithms." + algorithm.label() + ".models"
                            : "models",
                    algorithm.models() != null ? algorithm.models() : models,
                    ids);
        }
    }

    /** Returns the participant ids: p00, p01, ... padded to the width of the count. */
    public static List<String> participantIds(int count) {
        int width = String.valueOf(Math.max(0, count - 1)).length();
        return IntStream.range(0, count)
                .mapToObj(i -> String.format("p%0" + Math.max(2, width) + "d", i))
                .toList();
    }

    /** Returns the participant ids of this experiment. */
    public List<String> participantIds() {
        return participantIds(participants);
    }

    /**
     * Refuses a simulated attack on an algorithm (its own, else the experiment's) whose fraction
     * rounds to no attacker among the participants, as {@code AttackConfig} draws them.
     */
    private static void checkSelectsAttackers(
            AlgorithmConfig algorithm, SimulatedAttackConfig experimentAttack, int participants) {
        SimulatedAttackConfig simulated =
                algorithm.attack() != null ? algorithm.attack() : experimentAttack;
        if (simulated != null && Math.round(simulated.fraction() * participants) < 1) {
            throw new ConfigException(
                    (algorithm.attack() != null ? "algorithms." + algorithm.label() + "." : "")
                            + "attack.fraction "
                            + simulated.fraction()
                            + " of "
                            + participants
                            + " participants selects no attacker; give at least "
                            + BigDecimal.valueOf(1.0 / participants)
                                    .round(new MathContext(2, RoundingMode.CEILING))
                                    .toPlainString()
                            + " (one participant) or drop the attack");
        }
    }

    /** Returns the codec spec an algorithm runs with: its own, else the experiment's. */
    public String codecFor(AlgorithmConfig algorithm) {
        return algorithm.codec() != null ? algorithm.codec() : codec;
    }

    /** Returns the simulated attack on an algorithm: its own, else the experiment's, if any. */
    public Optional<SimulatedAttackConfig> attackFor(AlgorithmConfig algorithm) {
        return Optional.ofNullable(algorithm.attack() != null ? algorithm.attack() : attack);
    }

    /**
     * Returns the differential privacy of an algorithm's uploads: its own, else the experiment's,
     * if any; never for local-only, which uploads nothing.
     */
    public Optional<PrivacyConfig> privacyFor(AlgorithmConfig algorithm) {
        if (algorithm.name().equals("local-only")) {
            return Optional.empty();
        }
        return Optional.ofNullable(algorithm.privacy() != null ? algorithm.privacy() : privacy);
    }

    /** Returns the model assignment an algorithm runs with. */
    public Map<String, io.fedistill.ml.model.ModelSpec> modelsFor(AlgorithmConfig algorithm) {
        return algorithm.models() != null
                ? ModelAssignment.resolve(
                        "algorithms." + algorithm.label() + ".models",
                        algorithm.models(),
                        participantIds())
                : ModelAssignment.resolve("models", models, participantIds());
    }

    /**
     * Returns a codec spec's canonical name; an error is prefixed with where the spec came from.
     */
    static String canonicalCodec(String where, String spec) {
        try {
            return Codec.forName(spec).name();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + e.getMessage(), e);
        }
    }

    /**
     * Refuses settings an algorithm cannot honour together: privacy it cannot calibrate, a minimum
     * of participants under privacy (it would override Poisson sampling), an upload codec under
     * privacy (it would change uploads after clipping) or under secure aggregation (masked words
     * cannot shrink).
     *
     * @param privacy the algorithm's effective privacy, null for none
     */
    private static void checkCombination(
            AlgorithmConfig algorithm, String codec, PrivacyConfig privacy, int minParticipants) {
        boolean lossyUp = Codec.forName(codec).approximates(Direction.UP);
        if (privacy != null) {
            privacy.check(algorithm);
            if (minParticipants > 1) {
                throw new ConfigException(
                        "minParticipants "
                                + minParticipants
                                + " and privacy with algorithms."
                                + algorithm.label()
                                + ": privacy samples each participant independently (Poisson"
                                + " sampling, as its accountant assumes), which a minimum would"
                                + " override; leave minParticipants at 1");
            }
            if (lossyUp) {
                throw new ConfigException(
                        "codec '"
                                + codec
                                + "' and privacy with algorithms."
                                + algorithm.label()
                                + ": the codec would change uploads after they are clipped, so the"
                                + " noise would no longer match them; send uploads lossless (only"
                                + " down.* encodings) with privacy");
            }
        }
        if (lossyUp && Boolean.TRUE.equals(algorithm.options().get("secure"))) {
            throw new ConfigException(
                    "codec '"
                            + codec
                            + "' and algorithms."
                            + algorithm.label()
                            + ".options.secure: an upload summed securely travels as masked"
                            + " 16-bit words, which the codec's up encodings cannot shrink; drop"
                            + " one of them");
        }
    }

    /**
     * One worker process per core, where there are two or more: two 1-thread processes train small
     * models faster than one 2-thread process. A single core gains nothing from a worker, so there
     * everything runs in this process.
     */
    private static int defaultWorkers() {
        int cores = Runtime.getRuntime().availableProcessors();
        return cores >= 2 ? Math.min(cores, MAX_WORKERS) : 0;
    }
}
