package io.fedistill.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fedistill.ml.model.Architecture;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExperimentLoaderTest {
    private static final String VALID =
            """
            name: t
            participants: 4
            models: [mlp, lenet]
            partition: {kind: dirichlet, alpha: 0.5}
            algorithms:
              - name: fd
              - name: fedavg
                models: lenet
            """;

    private static ExperimentConfig load(String yaml, String... overrides) {
        return ExperimentLoader.load(
                "test.yaml",
                new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                List.of(overrides));
    }

    @Test
    void loadsDefaultsAndModelAssignments() {
        ExperimentConfig config = load(VALID);
        assertThat(config.rounds()).isEqualTo(10);
        assertThat(config.participantIds()).containsExactly("p00", "p01", "p02", "p03");
        assertThat(config.modelsFor(config.algorithms().get(0)).values())
                .extracting(s -> s.architecture())
                .containsExactly(
                        Architecture.MLP, Architecture.LENET, Architecture.MLP, Architecture.LENET);
        assertThat(config.modelsFor(config.algorithms().get(1)).values())
                .extracting(Object::toString)
                .containsOnly("lenet");
        ExperimentConfig blocks = load(VALID, "models={blocks: [mlp, cnn]}");
        assertThat(blocks.modelsFor(blocks.algorithms().get(0)).values())
                .extracting(Object::toString)
                .containsExactly("mlp:200-200", "mlp:200-200", "cnn", "cnn");
        ExperimentConfig mapping = load(VALID, "models={mapping: {p01: cnn}, default: lenet}");
        assertThat(mapping.modelsFor(mapping.algorithms().get(0)).values())
                .extracting(Object::toString)
                .containsExactly("lenet", "cnn", "lenet", "lenet");
    }

    @Test
    void overridesReachNestedFieldsAndListItems() {
        ExperimentConfig config =
                load(
                        VALID,
                        "rounds=3",
                        "training.learningRate=0.01",
                        "training.gradientClipNorm=5",
                        "algorithms.0.options.alpha=0.2");
        assertThat(config.rounds()).isEqualTo(3);
        assertThat(config.training().learningRate()).isEqualTo(0.01);
        assertThat(config.training().settings().gradientClipNorm()).isEqualTo(5f);
        assertThat(config.algorithms().get(0).options()).containsEntry("alpha", 0.2);
    }

    @Test
    void badInputNamesTheFieldAndTheAllowedValues() {
        assertThatThrownBy(() -> load("name: [unclosed"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> load(VALID, "algorithms.0.name=fedsomething"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown algorithm 'fedsomething'")
                .hasMessageContaining(
                        "[local-only, fedavg, fedprox, lg-fedavg, fml, fedkd, fd, faug, fedmd, dsfl,"
                                + " feddf, fedgen, fedproto, fedtgp, kd-pipeline, global-student]");
        assertThatThrownBy(() -> load(VALID, "models=[mlp, vgg]"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("models[1]: unknown model 'vgg'");
        assertThatThrownBy(() -> load(VALID, "training.learnignRate=0.1"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown field 'learnignRate' in training")
                .hasMessageContaining("learningRate");
        assertThatThrownBy(() -> load(VALID, "training.gradientClipNorm=-1"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("training: gradient clip norm must be >= 0")
                .hasMessageContaining("got -1.0");
        assertThatThrownBy(() -> load(VALID, "rounds=-3"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rounds must be > 0, got -3");
        assertThatThrownBy(() -> load(VALID, "rounds=many"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rounds");
        assertThatThrownBy(() -> load(VALID, "partition.kind=zipf"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "partition.kind: unknown partitioner 'zipf'; allowed: [iid, dirichlet, shards, pathological, quantity]");
        assertThatThrownBy(() -> load(VALID, "algorithms.0.options.temprature=2"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "unknown option(s) [temprature]; allowed: [alpha, temperature, featureRounds, featureWeight, weighting, robust,");
        assertThatThrownBy(() -> load(VALID, "dataset.name=cifar"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown dataset 'cifar'");
        assertThatThrownBy(() -> load(VALID, "rounds"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--set expects key=value");
    }

    @Test
    void aSectionOfTheWrongKindSaysWhichKindItMustBe() {
        assertThatThrownBy(() -> load(VALID, "algorithms={name: fedavg}"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yaml: field 'algorithms' must be a list, got a mapping");
        assertThatThrownBy(() -> load(VALID, "dataset=fashion-mnist-sample"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "test.yaml: field 'dataset' must be a mapping of fields, got"
                                + " 'fashion-mnist-sample'");
        assertThatThrownBy(() -> load(VALID, "training=[1, 2]"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yaml: field 'training' must be a mapping of fields, got a list");
        assertThatThrownBy(() -> load(VALID, "algorithms.0.options=[1, 2]"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "test.yaml: field 'algorithms[0].options' must be a mapping of fields, got"
                                + " a list");
    }

    @Test
    void settingsThatCannotHoldTogetherAreRefusedByName() {
        // a misspelled field is named even where the record refuses what is left without it
        assertThatThrownBy(() -> load(VALID, "privacy={clip: 1, noise: 1}"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "test.yaml: unknown field 'noise' in privacy; allowed: [clip, delta, mode,"
                                + " noiseMultiplier]");
        assertThatThrownBy(() -> load(VALID, "minParticipants=5"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("minParticipants must be in 1..4 (participants), got 5");
        assertThatThrownBy(() -> load(VALID, "attack={kind: sign-flipped-weights, fraction: 0.1}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "attack.fraction 0.1 of 4 participants selects no attacker; give at least"
                                + " 0.25 (one participant) or drop the attack");
        assertThatThrownBy(
                        () ->
                                load(
                                        VALID,
                                        "algorithms.1.attack={kind: sign-flipped-weights,"
                                                + " fraction: 0}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("algorithms.fedavg.attack.fraction 0.0 of 4 participants");
        ExperimentConfig oneOfFour =
                load(VALID, "attack={kind: sign-flipped-weights, fraction: 0.125}");
        assertThat(oneOfFour.attack().attack(1).attackers(oneOfFour.participantIds())).hasSize(1);
        assertThatThrownBy(() -> load(VALID, "algorithms.1.name=fd"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "algorithms: two entries share the label 'fd'; give each a distinct label");
    }

    @Test
    void anchorsAliasesAndMergeKeysResolveAsYamlDoes() {
        ExperimentConfig config =
                load(
                        """
                        name: aliases
                        participants: 4
                        seed: &lr 7
                        models: &m [mlp, lenet]
                        training: {learningRate: *lr, batchSize: 16}
                        algorithms:
                          - name: &n fedprox
                            label: prox
                            options: {mu: *lr}
                            models: lenet
                          - name: fd
                            label: *n
                            models: *m
                        """);
        assertThat(config.algorithms().get(0).options()).containsEntry("mu", 7);
        assertThat(config.algorithms().get(1).label()).isEqualTo("fedprox");
        assertThat(config.modelsFor(config.algorithms().get(1)).values())
                .extracting(Object::toString)
                .containsExactly("mlp:200-200", "lenet", "mlp:200-200", "lenet");
        assertThat(config.training().learningRate()).isEqualTo(7.0);
        ExperimentConfig merged =
                load(
                        """
                        participants: 2
                        models: mlp
                        algorithms: [{name: local-only}]
                        training:
                          <<: &base {learningRate: 0.01, batchSize: 8}
                          batchSize: 4
                        """);
        assertThat(merged.training().learningRate()).isEqualTo(0.01);
        assertThat(merged.training().batchSize()).isEqualTo(4);
        assertThat(load(VALID, "name=no").name()).isEqualTo("no");
        assertThat(load(VALID, "name=2024-01-01").name()).isEqualTo("2024-01-01");
        assertThatThrownBy(() -> load(VALID.replace("models: [mlp, lenet]", "models: *nowhere")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML")
                .hasMessageContaining("nowhere");
    }

    @Test
    void aliasBombsAndSelfReferencesAreRefused() {
        StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int level = 1; level < 9; level++) {
            bomb.append("a").append(level).append(": &a").append(level).append(" [");
            for (int i = 0; i < 9; i++) {
                bomb.append(i == 0 ? "" : ", ").append("*a").append(level - 1);
            }
            bomb.append("]\n");
        }
        assertThatThrownBy(() -> load(bomb + VALID))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("test.yaml is not valid YAML")
                .hasMessageContaining("aliases");
        StringBuilder doubling = new StringBuilder("d0: &d0 [x, x]\n");
        for (int level = 1; level < 25; level++) {
            doubling.append("d").append(level).append(": &d").append(level);
            doubling.append(" [*d")
                    .append(level - 1)
                    .append(", *d")
                    .append(level - 1)
                    .append("]\n");
        }
        assertThatThrownBy(() -> load(doubling + VALID))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("expands to more than 100000 values");
        assertThatThrownBy(() -> load(VALID + "loop: &loop [1, *loop]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("refers to itself");
    }

    @Test
    void integerFieldsRefuseFractions() {
        assertThatThrownBy(() -> load(VALID, "rounds=2.5"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("field 'rounds' must be a whole number, got '2.5'");
        assertThatThrownBy(() -> load(VALID, "training.batchSize=31.5"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'training.batchSize' must be a whole number");
        assertThatThrownBy(() -> load(VALID, "algorithms.0.options.featureRounds=1.5"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("option 'featureRounds' must be a whole number, got 1.5");
        assertThat(load(VALID, "training.learningRate=1e-3").training().learningRate())
                .isEqualTo(0.001);
    }

    @Test
    void longValuesAreBoundedInMessagesAndNamesAndLabelsAtConfigTime() {
        String huge = "x".repeat(2_000_000);
        assertThatThrownBy(() -> load(VALID, "algorithms.0.name=" + huge))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown algorithm 'xxxxxx")
                .hasMessageContaining("(2000000 characters)")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(500));
        assertThatThrownBy(() -> load(VALID, "name=" + "n".repeat(300)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("name must be at most 100 characters")
                .hasMessageContaining("got 300");
        assertThatThrownBy(() -> load(VALID, "algorithms.0.label=" + huge))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("label must be 1 to 64 characters")
                .hasMessageContaining("got one of 2000000 characters")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(500));
        assertThatThrownBy(() -> load(VALID, "algorithms.0.label='a,b'"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("without commas");
    }

    @Test
    void aRunRecordLoadsAsTheExperimentItRecorded() {
        ExperimentConfig config = load(VALID, "partition={kind: dirichlet, alpha: 0.3}");
        String record =
                ExperimentLoader.runRecord(config, java.util.Map.of("seed", 42, "command", "x"));
        assertThat(record).doesNotContain("labelsPerParticipant");
        assertThat(load(record)).isEqualTo(config);
        ExperimentConfig shards = load(VALID, "partition={kind: shards}");
        assertThat(ExperimentLoader.toYaml(shards))
                .contains("labelsPerParticipant: 2")
                .doesNotContain("alpha");
    }

    @Test
    void aDirectoryIsNamedAsOne(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        assertThatThrownBy(() -> ExperimentLoader.load(dir, List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is a directory, not a YAML file");
        java.nio.file.Files.writeString(dir.resolve("config.yaml"), VALID);
        assertThatThrownBy(() -> ExperimentLoader.load(dir, List.of()))
                .hasMessageContaining("to repeat the run recorded there, give")
                .hasMessageContaining("config.yaml");
    }

    @Test
    void aCodecIsOneLineOrAMapAndComesOutCanonical() {
        assertThat(load(VALID).codec()).isEqualTo("fp32");
        assertThat(load(VALID + "codec: up.probabilities=fp16\n").codec())
                .isEqualTo("up.probabilities=fp16");
        assertThat(
                        load(
                                        VALID,
                                        "codec={up: {logits: topk:0.1, probabilities: int8},"
                                                + " down: bf16, compression: deflate}")
                                .codec())
                .isEqualTo(
                        "up.logits=topk:0.1,up.probabilities=int8,down.weights=bf16,"
                                + "down.logits=bf16,down.probabilities=bf16,down.features=bf16,"
                                + "compression=deflate");
        assertThatThrownBy(() -> load(VALID, "codec={up: {counts: fp16}}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("counts must arrive exactly");
        assertThatThrownBy(() -> load(VALID, "codec=fp12"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown encoding 'fp12'");
        assertThatThrownBy(() -> load(VALID, "codec={up: [fp16]}"))
                .hasMessageContaining("codec.up must be an encoding such as fp16");
        assertThatThrownBy(
                        () ->
                                load(
                                        VALID,
                                        "codec=up.weights=fp16",
                                        "algorithms=[{name: fedavg, models: lenet, options:"
                                                + " {secure: true}}]"))
                .hasMessageContaining("algorithms.fedavg.options.secure")
                .hasMessageContaining("masked 16-bit words");
        assertThat(
                        load(
                                        VALID,
                                        "codec=down.weights=fp16",
                                        "algorithms=[{name: fedavg, models: lenet, options:"
                                                + " {secure: true}}]")
                                .codec())
                .isEqualTo("down.weights=fp16");
    }

    @Test
    void anAttackNamesItsKindAndFractionAndIsRefusedWhenItCannotBe() {
        ExperimentConfig attacked =
                load(VALID, "attack={kind: scaled-weights, fraction: 0.5, scale: 5}");
        assertThat(attacked.attack().attack(attacked.seed()).attackers(attacked.participantIds()))
                .hasSize(2);
        assertThat(load(VALID, "attack={kind: label-flipping}").attack().fraction()).isEqualTo(0.2);
        assertThat(load(VALID, "attack={kind: label-flipping}").attack().countScale()).isEqualTo(1);
        ExperimentConfig inflating =
                load(VALID, "attack={kind: inverted-logits, fraction: 0.5, countScale: 10}");
        assertThat(inflating.attack().attack(inflating.seed()).countScale()).isEqualTo(10);
        assertThat(inflating.attack().attack(inflating.seed()).countsFollowUpload()).isFalse();
        ExperimentConfig lying =
                load(
                        VALID,
                        "attack={kind: inverted-logits, fraction: 0.5, countsFollowUpload: true}");
        assertThat(lying.attack().attack(lying.seed()).countsFollowUpload()).isTrue();
        assertThatThrownBy(() -> load(VALID, "attack={kind: inverted-logits, countScale: -1}"))
                .hasMessageContaining("attack: countScale must be positive and finite, got -1.0");
        assertThatThrownBy(() -> load(VALID, "attack={kind: bribery}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("attack: unknown attack 'bribery'");
        assertThatThrownBy(() -> load(VALID, "attack={kind: random-logits, fraction: 1.5}"))
                .hasMessageContaining("attack: fraction must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> load(VALID, "attack={fraction: 0.2}"))
                .hasMessageContaining("attack.kind is required");
    }

    @Test
    void privacyIsRefusedWhereTheNoiseWouldNotMatchOneParticipantsShare() {
        String dp = "privacy={clip: 1.0, noiseMultiplier: 1.1}";
        String distributed = "privacy={clip: 1.0, noiseMultiplier: 1.1, mode: distributed}";
        assertThatThrownBy(() -> load(VALID, dp))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "privacy with algorithms.fd: fd does not aggregate equally"
                                + " weighted uploads");
        String fedavg = "algorithms=[{name: fedavg, models: lenet}]";
        assertThatThrownBy(() -> load(VALID, dp, fedavg))
                .hasMessageContaining("participants weighted by examples")
                .hasMessageContaining("set options.weighting: uniform");
        String uniform =
                "algorithms=[{name: fedavg, models: lenet, options: {weighting: uniform}}]";
        assertThat(load(VALID, dp, uniform).privacy().settings().noiseMultiplier()).isEqualTo(1.1);
        assertThatThrownBy(() -> load(VALID, distributed, uniform))
                .hasMessageContaining("set options.secure: true");
        // prototypes: FedProto's plain mean takes privacy; FedTGP trains on each upload
        String fedproto = "algorithms=[{name: fedproto, models: \"lenet@64\"}]";
        assertThat(load(VALID, dp, fedproto).privacy().settings().clip()).isEqualTo(1.0);
        String classCounts = fedproto.replace("\"}", "\", options: {weighting: class-counts}}");
        assertThatThrownBy(() -> load(VALID, dp, classCounts))
                .hasMessageContaining("set options.weighting: uniform");
        String clipRows = fedproto.replace("\"}", "\", options: {clipRows: norm}}");
        assertThatThrownBy(() -> load(VALID, dp, clipRows))
                .hasMessageContaining("clipRows: norm clips the rows of each class's holders");
        assertThatThrownBy(
                        () -> load(VALID, dp, "algorithms=[{name: fedtgp, models: \"lenet@64\"}]"))
                .hasMessageContaining("fedtgp trains its prototype network on each participant's");
        assertThatThrownBy(
                        () ->
                                load(
                                        VALID,
                                        dp,
                                        "publicData={size: 100}",
                                        "algorithms=[{name: dsfl, options: {priorCheck: true}}]"))
                .hasMessageContaining(
                        "priorCheck compares each upload with the label counts it reports, which a"
                                + " private upload withholds");
        assertThatThrownBy(() -> load(VALID, distributed, fedproto))
                .hasMessageContaining("fedproto has no secure aggregation");
        assertThatThrownBy(() -> load(VALID, "privacy={clip: -1, noiseMultiplier: 1}", uniform))
                .hasMessageContaining("privacy.clip must be > 0, got -1.0");
        assertThatThrownBy(
                        () ->
                                load(
                                        VALID,
                                        dp,
                                        "algorithms=[{name: fedavg, models: lenet, options:"
                                                + " {weighting: uniform, robust: krum}}]"))
                .hasMessageContaining("robust: krum can let one participant's upload through");
        assertThatThrownBy(
                        () ->
                                load(
                                        VALID,
                                        dp,
                                        "algorithms=[{name: fedavg, models: lenet, options:"
                                                + " {weighting: uniform, secure: true}}]"))
                .hasMessageContaining("with secure: true it receives none; use mode: distributed");
        assertThatThrownBy(() -> load(VALID, dp, uniform, "codec=up.weights=fp16"))
                .hasMessageContaining("would change uploads after they are clipped");
        assertThatThrownBy(() -> load(VALID, dp, uniform, "minParticipants=2"))
                .hasMessageContaining("minParticipants 2 and privacy with algorithms.fedavg")
                .hasMessageContaining("Poisson sampling");
    }

    @Test
    void anAlgorithmCanRunWithItsOwnCodecAttackAndPrivacy() {
        ExperimentConfig config =
                load(
                        VALID,
                        "codec=down.weights=fp16",
                        "algorithms=[{name: fd},"
                                + " {name: fd, label: fd-int8, codec: {up: int8}},"
                                + " {name: fedavg, label: attacked, models: lenet,"
                                + " attack: {kind: sign-flipped-weights, fraction: 0.5}},"
                                + " {name: fedavg, label: private, models: lenet,"
                                + " options: {weighting: uniform},"
                                + " privacy: {clip: 1.0, noiseMultiplier: 2.0}}]");
        List<AlgorithmConfig> algorithms = config.algorithms();
        assertThat(algorithms)
                .extracting(config::codecFor)
                .containsExactly(
                        "down.weights=fp16",
                        "up.weights=int8,up.logits=int8,up.probabilities=int8,"
                                + "up.features=int8",
                        "down.weights=fp16",
                        "down.weights=fp16");
        assertThat(algorithms)
                .extracting(a -> config.attackFor(a).isPresent())
                .containsExactly(false, false, true, false);
        assertThat(config.privacyFor(algorithms.get(3)).orElseThrow().noiseMultiplier())
                .isEqualTo(2.0);
        assertThat(config.privacyFor(algorithms.get(0))).isEmpty();
        assertThatThrownBy(
                        () ->
                                load(
                                        VALID,
                                        "algorithms=[{name: fd}, {name: fedavg, models: lenet,"
                                                + " privacy: {clip: 1}}]"))
                .hasMessageContaining("algorithms[1].privacy needs clip and noiseMultiplier");
        assertThatThrownBy(() -> load(VALID, "algorithms=[{name: fd, attack: {kind: bribery}}]"))
                .hasMessageContaining("algorithms[0].attack: unknown attack 'bribery'");
        assertThatThrownBy(
                        () ->
                                load(
                                        VALID,
                                        "algorithms=[{name: local-only, privacy: {clip: 1,"
                                                + " noiseMultiplier: 1}}]"))
                .hasMessageContaining("local-only uploads nothing");
        assertThatThrownBy(() -> load(VALID, "algorithms=[{name: fd, codec: int9}]"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("algorithms.fd.codec 'int9'");
        // an algorithm's own privacy is checked against it, and an experiment-wide up codec with it
        assertThatThrownBy(
                        () ->
                                load(
                                        VALID,
                                        "algorithms=[{name: fd, privacy: {clip: 1, noiseMultiplier:"
                                                + " 1}}]"))
                .hasMessageContaining("privacy with algorithms.fd: fd does not aggregate");
        assertThatThrownBy(
                        () ->
                                load(
                                        VALID,
                                        "codec=up.weights=fp16",
                                        "algorithms=[{name: fedavg, models: lenet, options:"
                                                + " {weighting: uniform}, privacy: {clip: 1,"
                                                + " noiseMultiplier: 1}}]"))
                .hasMessageContaining("privacy with algorithms.fedavg: the codec would change");
    }
}
