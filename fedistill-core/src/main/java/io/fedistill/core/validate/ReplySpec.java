package io.fedistill.core.validate;

import io.fedistill.core.message.Message;
import io.fedistill.core.tensor.Tensor;
import io.fedistill.core.tensor.TensorRecord;
import io.fedistill.core.tensor.TensorRole;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a usable reply looks like: exactly these tensor names with these shapes and roles (counts
 * optional where {@link #allowingWithheldCounts} says so), these metrics, every value finite and
 * within its role's bounds.
 *
 * <p>Checked at the boundary for every reply, so an aggregator never sees a wrong shape, a NaN, a
 * probability above one or a missing count (unless the spec allows counts to be withheld).
 */
public final class ReplySpec {
    private final Map<String, TensorSpec> shapes;
    private final List<String> metrics;
    private final boolean anyLayout;
    private final List<List<String>> metricGroups;
    private final boolean countsMayBeWithheld;

    private ReplySpec(Map<String, TensorSpec> shapes, List<String> metrics) {
        this(shapes, metrics, false, List.of(), false);
    }

    private ReplySpec(
            Map<String, TensorSpec> shapes,
            List<String> metrics,
            boolean anyLayout,
            List<List<String>> metricGroups,
            boolean countsMayBeWithheld) {
        this.shapes = shapes;
        this.metrics = metrics;
        this.anyLayout = anyLayout;
        this.metricGroups = metricGroups;
        this.countsMayBeWithheld = countsMayBeWithheld;
    }

    /**
     * Returns a spec for replies that carry no tensors and metrics in groups: each group entirely
     * or not at all, and at least one group (an evaluation reply: scores on a test set a
     * participant may not hold, scores on its local split).
     */
    @SafeVarargs
    public static ReplySpec metricGroups(List<String>... groups) {
        return new ReplySpec(Map.of(), List.of(), false, List.of(groups), false);
    }

    /**
     * Returns a spec for replies that carry at least one tensor, of any names and shapes (a model
     * the coordinator has no layout for yet), every value finite, and the named metrics.
     */
    public static ReplySpec anyTensors(String... requiredMetrics) {
        return new ReplySpec(Map.of(), List.of(requiredMetrics), true, List.of(), false);
    }

    /** Returns a spec for replies that carry no tensors and the named metrics. */
    public static ReplySpec metricsOnly(String... requiredMetrics) {
        return new ReplySpec(Map.of(), List.of(requiredMetrics));
    }

    /**
     * Returns a spec for replies whose tensors match {@code template} in names, shapes and roles.
     */
    public static ReplySpec shapedLike(TensorRecord template, String... requiredMetrics) {
        LinkedHashMap<String, TensorSpec> shapes = new LinkedHashMap<>();
        template.asMap()
                .forEach(
                        (name, tensor) ->
                                shapes.put(
                                        name, new TensorSpec(tensor.shape(), template.role(name))));
        return new ReplySpec(Collections.unmodifiableMap(shapes), List.of(requiredMetrics));
    }

    /** Returns a spec for replies with the given tensor names, shapes and roles. */
    public static ReplySpec tensors(Map<String, TensorSpec> tensors, String... requiredMetrics) {
        return new ReplySpec(
                Collections.unmodifiableMap(new LinkedHashMap<>(tensors)),
                List.of(requiredMetrics));
    }

    /**
     * Returns this spec with its {@link TensorRole#COUNTS} tensors optional: a reply may leave any
     * of them out (an upload under differential privacy withholds its counts), and one it carries
     * is checked as before.
     */
    public ReplySpec allowingWithheldCounts() {
        return new ReplySpec(shapes, metrics, anyLayout, metricGroups, true);
    }

    /**
     * Returns every metric a reply may need to be usable: the required ones and those of every
     * group.
     */
    public List<String> usedMetrics() {
        List<String> used = new ArrayList<>(metrics);
        metricGroups.forEach(used::addAll);
        return used.stream().distinct().toList();
    }

    /**
     * Checks a reply against its request and this spec.
     *
     * @return the reason the reply is unusable, or empty when it is usable
     */
    public Optional<String> check(Message request, Message reply) {
        if (reply.isError()) {
            return Optional.of("participant reported an error: " + reply.error().get());
        }
        if (!reply.replyTo().equals(Optional.of(request.id()))) {
            return Optional.of(
                    "reply answers message "
                            + reply.replyTo().orElse("(none)")
                            + ", expected "
                            + request.id());
        }
        if (!reply.participantId().equals(request.participantId())
                || reply.round() != request.round()
                || !reply.type().equals(request.type())) {
            return Optional.of(
                    "reply is addressed to "
                            + reply.participantId()
                            + "/round "
                            + reply.round()
                            + "/"
                            + reply.type()
                            + ", expected "
                            + request.participantId()
                            + "/round "
                            + request.round()
                            + "/"
                            + request.type());
        }
        Map<String, Tensor> got = reply.tensors().asMap();
        if (anyLayout) {
            if (got.isEmpty()) {
                return Optional.of("reply carries no tensors");
            }
            for (Map.Entry<String, Tensor> e : got.entrySet()) {
                Optional<String> values = checkValues(e.getKey(), e.getValue(), reply);
                if (values.isPresent()) {
                    return values;
                }
            }
            return checkMetrics(reply);
        }
        Map<String, TensorSpec> expected = new LinkedHashMap<>(shapes);
        if (countsMayBeWithheld) {
            expected.entrySet()
                    .removeIf(
                            e ->
                                    e.getValue().role() == TensorRole.COUNTS
                                            && !got.containsKey(e.getKey()));
        }
        if (!got.keySet().equals(expected.keySet())) {
            return Optional.of(
                    "reply tensors "
                            + got.keySet()
                            + " do not match expected "
                            + shapes.keySet()
                            + (countsMayBeWithheld ? " (counts optional)" : ""));
        }
        for (Map.Entry<String, TensorSpec> e : expected.entrySet()) {
            Tensor tensor = got.get(e.getKey());
            TensorSpec spec = e.getValue();
            if (!tensor.hasShape(spec.shape())) {
                return Optional.of(
                        "tensor '"
                                + e.getKey()
                                + "' has shape "
                                + Arrays.toString(tensor.shape())
                                + ", expected "
                                + Arrays.toString(spec.shape()));
            }
            TensorRole role = reply.tensors().role(e.getKey());
            if (role != spec.role()) {
                return Optional.of(
                        "tensor '"
                                + e.getKey()
                                + "' is declared "
                                + role.wireName()
                                + ", expected "
                                + spec.role().wireName());
            }
            Optional<String> values = checkValues(e.getKey(), tensor, reply);
            if (values.isPresent()) {
                return values;
            }
        }
        return checkMetrics(reply);
    }

    private static Optional<String> checkValues(String name, Tensor tensor, Message reply) {
        if (!tensor.isFinite()) {
            return Optional.of("tensor '" + name + "' holds NaN or infinite values");
        }
        TensorRole role = reply.tensors().role(name);
        return Optional.ofNullable(role.violation(tensor))
                .map(why -> "tensor '" + name + "' (" + role.wireName() + "): " + why);
    }

    private Optional<String> checkMetrics(Message reply) {
        boolean anyGroup = false;
        for (List<String> group : metricGroups) {
            List<String> present =
                    group.stream().filter(m -> reply.metrics().find(m).isPresent()).toList();
            if (!present.isEmpty() && present.size() < group.size()) {
                return Optional.of(
                        "reply carries " + present + " without the rest of its group " + group);
            }
            anyGroup |= !present.isEmpty();
        }
        if (!metricGroups.isEmpty() && !anyGroup) {
            return Optional.of("reply carries none of the metric groups " + metricGroups);
        }
        for (String metric : metrics) {
            if (reply.metrics().find(metric).isEmpty()) {
                return Optional.of("reply lacks metric '" + metric + "'");
            }
        }
        for (Map.Entry<String, Double> e : reply.metrics().values().entrySet()) {
            if (!Double.isFinite(e.getValue())) {
                return Optional.of("metric '" + e.getKey() + "' is " + e.getValue());
            }
        }
        return Optional.empty();
    }
}
