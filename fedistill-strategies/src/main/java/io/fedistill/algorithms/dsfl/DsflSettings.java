package io.fedistill.algorithms.dsfl;

import io.fedistill.algorithms.Schedule;
import io.fedistill.core.aggregate.ParticipantWeighting;

/**
 * DS-FL's settings.
 *
 * @param subsetSize public samples per round
 * @param era whether to sharpen the mean (ERA) or use it plainly
 * @param eraTemperature ERA's temperature, in (0, 1)
 * @param distillTemperature the students' temperature when distilling
 * @param distillEpochs passes over the subset per round
 * @param distillLearningRate participants' learning rate while distilling (0: their training rate)
 * @param distillWeight factor on the distillation loss per round
 * @param weighting how participants' soft labels are weighted
 */
record DsflSettings(
        int subsetSize,
        boolean era,
        Schedule eraTemperature,
        Schedule distillTemperature,
        int distillEpochs,
        double distillLearningRate,
        Schedule distillWeight,
        ParticipantWeighting weighting) {}
