package io.fedistill.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * The loss terms local training composes: cross-entropy, temperature-scaled distillation and
 * FedProx's proximal term. All take logits (not probabilities) and return scalars.
 *
 * <p>No term multiplies or divides by a Java number through DJL's {@code mul(Number)}-style
 * overloads: those wrap the number in a tensor that borrows a Java buffer and free the buffer's
 * owner right after the call, while the autograd graph keeps the tensor for the backward pass, so a
 * garbage collection between forward and backward corrupts the gradient. Constants here are tensors
 * that own their memory ({@link #scaled}).
 */
public final class Losses {
    private Losses() {}

    /**
     * Returns {@code array * factor}, safe to differentiate: the factor is a tensor allocated by
     * the engine, not one borrowing a Java buffer.
     */
    public static NDArray scaled(NDArray array, float factor) {
        return array.mul(constant(array, factor));
    }

    /**
     * A scalar tensor holding {@code value}, in the engine's own memory, on {@code like}'s manager.
     */
    private static NDArray constant(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, like.getDataType());
    }

    /** Per-sample cross-entropy of logits (n, C) against integer labels (n). */
    public static NDArray crossEntropyPerSample(NDArray logits, NDArray labels) {
        int classes = (int) logits.getShape().get(1);
        return logits.logSoftmax(1)
                .mul(labels.oneHot(classes, logits.getDataType()))
                .sum(new int[] {1})
                .neg();
    }

    /** Mean cross-entropy of logits against integer labels. */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        return crossEntropyPerSample(logits, labels).mean();
    }

    /** Per-sample {@code KL(softmax(teacher / T) ‖ softmax(student / T))}. */
    public static NDArray klDivergencePerSample(
            NDArray student, NDArray teacher, float temperature) {
        NDArray logStudent = scaled(student, 1 / temperature).logSoftmax(1);
        NDArray logTeacher = scaled(teacher, 1 / temperature).logSoftmax(1);
        return logTeacher.exp().mul(logTeacher.sub(logStudent)).sum(new int[] {1});
    }

    /**
     * The distillation loss {@code alpha * CE + (1 - alpha) * T^2 * KL(softmax(t/T) ‖
     * softmax(s/T))}, averaged over the batch; samples whose {@code hasTeacher} entry is 0 get
     * plain cross-entropy.
     *
     * @param student student logits (n, C)
     * @param teacher teacher logits (n, C)
     * @param labels integer labels (n)
     * @param hasTeacher 1 where a sample has a teacher, 0 where it has none (n)
     * @param alpha weight of the cross-entropy term, in [0, 1]
     * @param temperature softening temperature, > 0
     * @return the scalar loss
     */
    public static NDArray distillation(
            NDArray student,
            NDArray teacher,
            NDArray labels,
            NDArray hasTeacher,
            float alpha,
            float temperature) {
        NDArray ce = crossEntropyPerSample(student, labels);
        NDArray kd =
                scaled(
                        klDivergencePerSample(student, teacher, temperature),
                        temperature * temperature);
        NDArray mixed = scaled(ce, alpha).add(scaled(kd, 1 - alpha));
        NDArray mask = hasTeacher.toType(ce.getDataType(), false);
        return ce.add(mask.mul(mixed.sub(ce))).mean();
    }

    /**
     * Distillation toward soft targets without labels, {@code T^2 * KL(target ‖ softmax(s / T))},
     * averaged over the batch.
     *
     * @param student student logits (n, C)
     * @param targets target probabilities (n, C), each row summing to 1
     * @param temperature the student's temperature, > 0
     * @return the scalar loss
     */
    public static NDArray softTargetDistillation(
            NDArray student, NDArray targets, float temperature) {
        NDArray logStudent = scaled(student, 1 / temperature).logSoftmax(1);
        NDArray safeTargets = targets.maximum(constant(targets, 1e-12f));
        NDArray kl = targets.mul(safeTargets.log().sub(logStudent)).sum(new int[] {1});
        return scaled(kl.mean(), temperature * temperature);
    }

    /**
     * Feature alignment: the mean squared difference between a sample's features and its label's
     * target features (class prototypes), over the D feature dimensions and the samples that have a
     * target (the mean, not the sum, over dimensions, so the weight on this loss means the same for
     * any feature width).
     *
     * @param features the model's features (n, D)
     * @param targets target features of each sample's label (n, D)
     * @param hasTarget 1 where a sample's label has a target, 0 where none (n)
     * @return the scalar loss (0 when no sample has a target)
     */
    public static NDArray featureAlignment(NDArray features, NDArray targets, NDArray hasTarget) {
        NDArray mask = hasTarget.toType(features.getDataType(), false);
        NDArray squared = features.sub(targets).square().mean(new int[] {1}).mul(mask);
        return squared.sum().div(mask.sum().maximum(constant(mask, 1f)));
    }

    /**
     * Deep mutual learning's loss for one of two peers (Zhang et al. 2018; FML): {@code alpha *
     * CE(logits, labels) + (1 - alpha) * KL(softmax(peer) ‖ softmax(logits))}, the peer's logits
     * taken as a constant, so each model learns from the other without being pulled by its own
     * loss.
     */
    public static NDArray mutual(NDArray logits, NDArray peerLogits, NDArray labels, float alpha) {
        NDArray peer = peerLogits.stopGradient().softmax(1);
        return scaled(crossEntropy(logits, labels), alpha)
                .add(scaled(softTargetDistillation(logits, peer, 1f), 1f - alpha));
    }

    /**
     * FedKD's adaptive mutual distillation (Wu et al. 2022) of a mentor and a mentee, both losses
     * summed: each model's cross-entropy, plus its KL divergence toward the other's (detached)
     * prediction and, with {@code hiddenWeight > 0}, {@code hiddenWeight} times the mean squared
     * difference of their (equally wide) features, the distillation terms divided by the two
     * models' summed cross-entropy on the batch (as a weight, without gradient): the more both
     * models err, the less they teach each other.
     */
    public static NDArray adaptiveMutual(
            NDArray mentorLogits,
            NDArray menteeLogits,
            NDArray mentorFeatures,
            NDArray menteeFeatures,
            NDArray labels,
            float hiddenWeight) {
        NDArray mentorCe = crossEntropy(mentorLogits, labels);
        NDArray menteeCe = crossEntropy(menteeLogits, labels);
        NDArray taskLoss = mentorCe.add(menteeCe);
        NDArray distillation =
                softTargetDistillation(mentorLogits, menteeLogits.stopGradient().softmax(1), 1f)
                        .add(
                                softTargetDistillation(
                                        menteeLogits, mentorLogits.stopGradient().softmax(1), 1f));
        if (hiddenWeight > 0) {
            NDArray hidden =
                    mentorFeatures
                            .sub(menteeFeatures.stopGradient())
                            .square()
                            .mean()
                            .add(menteeFeatures.sub(mentorFeatures.stopGradient()).square().mean());
            distillation = distillation.add(scaled(hidden, hiddenWeight));
        }
        return taskLoss.add(distillation.div(taskLoss.stopGradient()));
    }

    /**
     * Binary cross-entropy of logits against one target for every entry (1 real, 0 fake, as a GAN's
     * discriminator and generator use it), in the stable form {@code max(x, 0) - x * y + log(1 +
     * exp(-|x|))}, averaged.
     */
    public static NDArray binaryCrossEntropyWithLogits(NDArray logits, float target) {
        NDArray positive = logits.maximum(constant(logits, 0f));
        NDArray softplus = logits.abs().neg().exp().add(constant(logits, 1f)).log();
        return positive.sub(scaled(logits, target)).add(softplus).mean();
    }

    /**
     * FedGen's diversity loss (Zhu et al. 2021): {@code exp(-mean_ij(d_noise(i, j) * d_out(i,
     * j)))}, with {@code d_noise} the mean absolute difference of two samples' noise and {@code
     * d_out} the mean squared difference of their generated outputs, so that different noise is
     * pushed to different outputs.
     *
     * @param noise the generator's noise (n, Z)
     * @param outputs what it generated (n, D)
     */
    public static NDArray diversity(NDArray noise, NDArray outputs) {
        NDArray noiseDistance =
                noise.expandDims(1).sub(noise.expandDims(0)).abs().mean(new int[] {2});
        NDArray outputDistance =
                outputs.expandDims(1).sub(outputs.expandDims(0)).square().mean(new int[] {2});
        return noiseDistance.mul(outputDistance).mean().neg().exp();
    }

    /**
     * FedTGP's adaptive-margin contrastive loss (Zhang et al. 2024): each participant prototype's
     * Euclidean distances to every class's global prototype, with {@code margin} added to the
     * distance to its own class, as negative logits of a cross-entropy: the own class's global
     * prototype is pulled at least {@code margin} nearer than any other.
     *
     * @param prototypes participant prototypes (n, D)
     * @param labels their classes (n)
     * @param global the global prototypes of every class (C, D)
     * @param margin the margin, >= 0
     * @return the mean loss over the n prototypes
     */
    public static NDArray marginContrastive(
            NDArray prototypes, NDArray labels, NDArray global, float margin) {
        int classes = (int) global.getShape().get(0);
        NDArray squared =
                prototypes
                        .square()
                        .sum(new int[] {1}, true)
                        .sub(scaled(prototypes.matMul(global.transpose()), 2f))
                        .add(global.square().sum(new int[] {1}).expandDims(0));
        // a clamp keeps the root's gradient finite where a prototype meets a global one
        NDArray distances = squared.maximum(constant(squared, 1e-12f)).sqrt();
        NDArray withMargin =
                distances.add(scaled(labels.oneHot(classes, distances.getDataType()), margin));
        return crossEntropy(withMargin.neg(), labels);
    }

    /**
     * FedProx's proximal term {@code mu / 2 * sum ||w - w_anchor||^2} over matching arrays.
     *
     * @param weights the model's live weights
     * @param anchors the weights training started from, one per weight
     * @param mu the proximal coefficient
     * @param scratch where the intermediate arrays live (the batch's manager), so that they do not
     *     pile up on the weights' manager for the length of the model's life
     * @return the scalar term, on {@code scratch}
     */
    public static NDArray proximal(
            List<NDArray> weights, List<NDArray> anchors, float mu, NDManager scratch) {
        if (weights.size() != anchors.size() || weights.isEmpty()) {
            throw new IllegalArgumentException(
                    weights.size() + " weights but " + anchors.size() + " anchors");
        }
        NDArray total = null;
        for (int i = 0; i < weights.size(); i++) {
            NDArray difference = weights.get(i).sub(anchors.get(i));
            difference.attach(scratch); // what is computed from it lands on scratch too
            NDArray squared = difference.square().sum();
            total = total == null ? squared : total.add(squared);
        }
        return scaled(total, mu / 2);
    }
}
