package io.fedistill.ml.model;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;

/**
 * A classifier built by the model zoo: a feature extractor followed by a classifier head, the split
 * that feature distillation and FedGen need.
 *
 * @param spec what was built
 * @param features the feature extractor, input images to feature vectors
 * @param head the classifier head, features to class logits
 * @param network features then head, the block that is trained
 */
public record ClassifierNetwork(
        ModelSpec spec, Block features, Block head, SequentialBlock network) {}
