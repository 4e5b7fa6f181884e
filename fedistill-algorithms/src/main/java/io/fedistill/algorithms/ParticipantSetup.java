package io.fedistill.algorithms;

import io.fedistill.ml.data.ImageDataset;
import io.fedistill.ml.data.ParticipantData;
import io.fedistill.ml.data.PublicData;
import io.fedistill.ml.model.ModelSpec;
import io.fedistill.ml.partition.ParticipantSplit;
import io.fedistill.ml.train.TrainingSettings;
import java.util.Optional;

/**
 * What one participant is given: its architecture, its private split of the training set, the
 * common test set it is scored on where the experiment has one, and how it trains.
 *
 * @param participantId the participant
 * @param model its architecture
 * @param trainSet the training set its split indexes into
 * @param split its private training samples and local test split
 * @param testSet the common test set; empty for a participant that holds none (it reports its local
 *     scores only)
 * @param training its local training settings
 * @param publicData the shared public data it holds locally, if the experiment has any
 */
public record ParticipantSetup(
        String participantId,
        ModelSpec model,
        ImageDataset trainSet,
        ParticipantSplit split,
        Optional<ImageDataset> testSet,
        TrainingSettings training,
        Optional<PublicData> publicData) {

    /**
     * Returns the setup of a participant process that holds only its own data: the training and
     * local test samples it was given, scored on the test set it holds, if any.
     */
    public static ParticipantSetup fromData(
            String participantId,
            ParticipantData data,
            ModelSpec model,
            TrainingSettings training,
            Optional<PublicData> publicData) {
        return new ParticipantSetup(
                participantId,
                model,
                data.trainAndLocalTest(),
                data.split(participantId),
                data.test(),
                training,
                publicData);
    }
}
