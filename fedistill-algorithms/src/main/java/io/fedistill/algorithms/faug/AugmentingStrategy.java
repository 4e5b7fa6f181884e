package io.fedistill.algorithms.faug;

import io.fedistill.core.fleet.ExchangeResult;
import io.fedistill.core.fleet.Fleet;
import io.fedistill.core.message.ConfigRecord;
import io.fedistill.core.message.Message;
import io.fedistill.core.message.MessageType;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.seed.Seeds;
import io.fedistill.core.strategy.RoundContext;
import io.fedistill.core.strategy.Strategy;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.core.validate.ReplySpec;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FAug's coordinator: in its first round, before FD's, asks every selected participant for its seed
 * samples, trains the conditional GAN on all of them and sends the generator back with the labels
 * it has seen; from then on it runs FD. The strategy metrics of that round say how many raw samples
 * left the participants (in all, the most from one participant), how many skipped, and how far
 * apart the GAN draws different labels against the seeds ({@link ConditionalGan.Trained}).
 */
final class AugmentingStrategy implements Strategy {
    static final MessageType SEEDS = MessageType.of(FaugAlgorithm.NAME, "seeds");
    static final MessageType GENERATOR = MessageType.of(FaugAlgorithm.NAME, "generator");
    static final String IMAGES = "images";
    static final String LABELS = "labels";
    static final String SEEN = "seen_labels";
    static final String RAW_SAMPLES = "raw_samples";
    static final String GENERATED = "generated";

    private static final Logger LOG = LoggerFactory.getLogger(AugmentingStrategy.class);
    private static final String DONE = "augmented";

    private final FaugSettings settings;
    private final ConditionalGan gan;
    private final Strategy fd;
    private final long seed;
    private boolean augmented;

    AugmentingStrategy(FaugSettings settings, ConditionalGan gan, Strategy fd, long seed) {
        this.settings = settings;
        this.gan = gan;
        this.fd = fd;
        this.seed = seed;
    }

    @Override
    public Metrics runRound(RoundContext context, Fleet fleet) {
        Metrics augmentation = augmented ? Metrics.empty() : augment(context, fleet);
        Metrics metrics = fd.runRound(context, fleet);
        for (String name : augmentation.values().keySet()) {
            metrics = metrics.with(name, augmentation.get(name));
        }
        return metrics;
    }

    private Metrics augment(RoundContext context, Fleet fleet) {
        List<Message> requests = new ArrayList<>();
        for (String id : context.selected()) {
            requests.add(
                    Message.builder(context.round(), SEEDS, id)
                            .optConfig(
                                    ConfigRecord.of(
                                            "seeds_per_label",
                                            settings.seedsPerLabel(),
                                            "redundancy",
                                            settings.redundancy(),
                                            "target_fraction",
                                            settings.targetFraction()))
                            .build());
        }
        ExchangeResult seeds = fleet.exchange(requests, ReplySpec.anyTensors(RAW_SAMPLES));
        List<float[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int skipped = 0;
        int most = 0;
        for (Message reply : seeds.replies()) {
            int sent = (int) reply.metrics().get(RAW_SAMPLES);
            LOG.info(
                    "round {}: {} sent {} raw samples for augmentation",
                    context.round(),
                    reply.participantId(),
                    sent);
            most = Math.max(most, sent);
            if (sent == 0) {
                skipped++;
                continue;
            }
            Tensor pixels = reply.tensors().get(IMAGES);
            float[] labelValues = reply.tensors().get(LABELS).toFloatArray();
            if (pixels.shape().length != 2
                    || pixels.shape()[1] != gan.pixels()
                    || pixels.shape()[0] != labelValues.length) {
                LOG.warn(
                        "round {}: seeds of {} refused: {} images of shape {} for {} labels, expected"
                                + " [n, {}]",
                        context.round(),
                        reply.participantId(),
                        pixels.shape()[0],
                        java.util.Arrays.toString(pixels.shape()),
                        labelValues.length,
                        gan.pixels());
                continue;
            }
            float[] flat = pixels.toFloatArray();
            for (int i = 0; i < labelValues.length; i++) {
                int label = (int) labelValues[i];
                if (label < 0 || label >= gan.classes() || label != labelValues[i]) {
                    continue;
                }
                images.add(
                        java.util.Arrays.copyOfRange(
                                flat, i * gan.pixels(), (i + 1) * gan.pixels()));
                labels.add(label);
            }
        }
        augmented = true;
        long total = labels.size();
        Metrics metrics =
                Metrics.of(
                        "raw_samples_uploaded",
                        total,
                        "raw_samples_most",
                        most,
                        "augmentation_skipped",
                        skipped);
        if (images.isEmpty()) {
            LOG.info(
                    "round {}: no seed samples arrived; FD runs without augmentation",
                    context.round());
            return metrics;
        }
        float[] pooled = new float[images.size() * gan.pixels()];
        float[] seen = new float[gan.classes()];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i), 0, pooled, i * gan.pixels(), gan.pixels());
            seen[labels.get(i)] = 1;
        }
        ConditionalGan.Trained trained =
                gan.train(
                        pooled,
                        labels.stream().mapToInt(Integer::intValue).toArray(),
                        settings.ganSteps(),
                        settings.ganBatchSize(),
                        (float) settings.ganLearningRate(),
                        Seeds.derive(seed, context.round(), "", "faug-gan"));
        TensorRecord payload =
                TensorRecord.builder()
                        .putAll(trained.generator())
                        .put(SEEN, Tensor.wrap(new int[] {seen.length}, seen), TensorRole.EXACT)
                        .build();
        List<Message> downloads = new ArrayList<>();
        for (Message reply : seeds.replies()) {
            if (reply.metrics().get(RAW_SAMPLES) > 0) {
                downloads.add(
                        Message.builder(context.round(), GENERATOR, reply.participantId())
                                .optTensors(payload)
                                .build());
            }
        }
        ExchangeResult generated = fleet.exchange(downloads, ReplySpec.metricsOnly(GENERATED));
        double made =
                generated.replies().stream().mapToDouble(r -> r.metrics().get(GENERATED)).sum();
        metrics = metrics.with("samples_generated", made);
        return Double.isNaN(trained.labelSeparation())
                ? metrics
                : metrics.with("gan_label_separation", trained.labelSeparation());
    }

    @Override
    public TensorRecord snapshot() {
        return TensorRecord.builder()
                .putSection("fd", fd.snapshot())
                .put(DONE, Tensor.vector(augmented ? 1 : 0))
                .build();
    }

    @Override
    public void restore(TensorRecord snapshot) {
        fd.restore(snapshot.section("fd"));
        augmented = snapshot.find(DONE).map(t -> t.get(0) == 1).orElse(false);
    }
}
