package io.fedistill.cli.config;

/**
 * Public data held out of the training set before it is partitioned: every participant and the
 * coordinator hold it; distillation algorithms use subsets of it.
 *
 * @param size number of training images held out as public
 * @param labeled whether algorithms may use its labels (FedMD's transfer phase)
 */
public record PublicDataConfig(Integer size, Boolean labeled) {
    /** Applies defaults and checks values. */
    public PublicDataConfig {
        if (size == null || size < 1) {
            throw new ConfigException("publicData.size must be > 0, got " + size);
        }
        labeled = labeled != null && labeled;
    }
}
