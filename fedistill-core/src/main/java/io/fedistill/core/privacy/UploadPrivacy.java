package io.fedistill.core.privacy;

import io.fedistill.core.message.Message;
import io.fedistill.core.message.Metrics;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import io.fedistill.core.validate.ReplySpec;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The participant's part of differential privacy, applied by its host to a reply before it leaves:
 * the upload clipped to the norm a task names ({@link #CLIP}), and, in distributed mode, its share
 * of the noise ({@link #NOISE}). What is clipped is every tensor a lossy codec could carry
 * (weights, logits, probabilities, features), jointly; weights are clipped in their change from the
 * task's weights of the same name, as DP-FedAvg does. Counts are withheld: they are exact, so no
 * clip or noise bounds what they tell (a participant's label histogram), and an algorithm that
 * takes part in differential privacy weighs every upload the same and does without them (its reply
 * spec {@linkplain io.fedistill.core.validate.ReplySpec#allowingWithheldCounts allows} them to be
 * missing). Other exact values pass unchanged; of the metrics, only those the coordinator needs
 * ({@link #METRICS}). In central mode the coordinator applies the same clip again to what arrives
 * ({@link PrivateStrategy}), so a participant that skipped it gains nothing.
 */
public final class UploadPrivacy {
    /** The config entry of a task whose upload is clipped: the L2 norm. */
    public static final String CLIP = "fedistill.dp_clip";

    /** The config entry of a task whose upload gets noise: its standard deviation. */
    public static final String NOISE = "fedistill.dp_noise";

    /**
     * The config entry of a clipped task naming, comma-separated, the metrics its reply keeps: the
     * ones the coordinator needs to use it ({@link ReplySpec#usedMetrics}). Every other metric a
     * learner reports (losses, accuracies on training data) is dropped, since no clip or noise
     * bounds what it tells.
     */
    public static final String METRICS = "fedistill.dp_metrics";

    /**
     * The config entry a strategy sets on a task whose reply holds nothing learned from private
     * data (FedAvg's seeded initial weights): it is neither clipped nor noised.
     */
    public static final String EXEMPT = "fedistill.dp_exempt";

    /**
     * The source of the noise: secret, unlike the run seed every participant is told, so nobody can
     * recompute the noise and take it off. Runs with privacy therefore do not repeat to the last
     * digit.
     */
    static final SecureRandom NOISE_SOURCE = new SecureRandom();

    private UploadPrivacy() {}

    /** Returns the reply with its upload clipped and noised as the request asks, if it asks. */
    public static Message apply(Message request, Message reply) {
        return apply(request, reply, norm(request, reply));
    }

    /** Does what {@link #apply(Message, Message)} does, given the upload's {@link #norm}. */
    static Message apply(Message request, Message reply, double norm) {
        double clip = request.config().getDouble(CLIP, 0);
        if (clip <= 0 || reply.isError()) {
            return reply;
        }
        reply = keepingMetrics(request, reply);
        if (reply.tensors().isEmpty()) {
            return reply;
        }
        double noise = request.config().getDouble(NOISE, 0);
        TensorRecord upload = reply.tensors();
        double factor = Math.min(1, clip / norm);
        TensorRecord.Builder out = TensorRecord.builder();
        for (String name : upload.names()) {
            TensorRole role = upload.role(name);
            Tensor tensor = upload.get(name);
            if (role == TensorRole.COUNTS) {
                continue;
            }
            if (!role.approximable()) {
                out.put(name, tensor, role);
                continue;
            }
            float[] change = change(upload, name, request.tensors());
            Optional<Tensor> base = base(upload, name, request.tensors());
            float[] values = new float[change.length];
            for (int i = 0; i < values.length; i++) {
                double v =
                        factor * change[i] + (noise > 0 ? noise * NOISE_SOURCE.nextGaussian() : 0);
                values[i] = (float) (v + (base.isPresent() ? base.get().get(i) : 0));
            }
            out.put(name, Tensor.wrap(tensor.shape(), values), role);
        }
        return reply.withTensors(out.build());
    }

    /**
     * Returns the reply with only the metrics its clipped task names ({@link #METRICS}); a task
     * that names none keeps none.
     */
    static Message keepingMetrics(Message request, Message reply) {
        Set<String> kept =
                new HashSet<>(List.of(request.config().getString(METRICS, "").split(",")));
        Map<String, Double> metrics = new LinkedHashMap<>();
        reply.metrics()
                .values()
                .forEach(
                        (name, value) -> {
                            if (kept.contains(name)) {
                                metrics.put(name, value);
                            }
                        });
        return metrics.size() == reply.metrics().values().size()
                ? reply
                : reply.withMetrics(new Metrics(metrics));
    }

    /**
     * Returns the L2 norm that {@link #apply} clips: of the reply's approximable tensors jointly,
     * weights in their change from the request's.
     */
    static double norm(Message request, Message reply) {
        TensorRecord upload = reply.tensors();
        double squared = 0;
        for (String name : upload.names()) {
            if (upload.role(name).approximable()) {
                for (float v : change(upload, name, request.tensors())) {
                    squared += (double) v * v;
                }
            }
        }
        return Math.sqrt(squared);
    }

    /** The task's tensor a weight is clipped relative to: same name and shape, weights. */
    static Optional<Tensor> base(TensorRecord upload, String name, TensorRecord task) {
        if (upload.role(name) != TensorRole.WEIGHTS) {
            return Optional.empty();
        }
        return task.find(name).filter(t -> t.hasShape(upload.get(name).shape()));
    }

    private static float[] change(TensorRecord upload, String name, TensorRecord task) {
        float[] values = upload.get(name).toFloatArray();
        base(upload, name, task)
                .ifPresent(
                        b -> {
                            for (int i = 0; i < values.length; i++) {
                                values[i] -= b.get(i);
                            }
                        });
        return values;
    }
}
