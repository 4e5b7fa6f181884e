package io.fedistill.algorithms.pipeline;

import io.fedistill.algorithms.AlgorithmOptions;
import io.fedistill.ml.model.ModelSpec;
import java.util.List;
import java.util.Map;

/**
 * The pipeline's settings.
 *
 * @param teacher the teacher's architecture (the participants' own models are the student's)
 * @param teacherRounds rounds of the teacher's FedAvg (stage 1)
 * @param studentRounds rounds of the student's FedAvg with distillation (stage 2); the rounds after
 *     them fine-tune the student locally (stage 3)
 * @param alpha the student's cross-entropy weight beside distillation
 * @param temperature the distillation temperature
 */
record PipelineSettings(
        ModelSpec teacher, int teacherRounds, int studentRounds, float alpha, float temperature) {
    /**
     * Reads the options: {@code teacher} (required), {@code teacherRounds} and {@code
     * studentRounds} (required), {@code alpha} (default 0.5) and {@code temperature} (default 2).
     */
    static PipelineSettings fromOptions(Map<String, Object> options) {
        AlgorithmOptions read =
                new AlgorithmOptions(
                        PipelineAlgorithm.NAME,
                        options,
                        List.of(
                                "teacher",
                                "teacherRounds",
                                "studentRounds",
                                "alpha",
                                "temperature"));
        if (!options.containsKey("teacherRounds") || !options.containsKey("studentRounds")) {
            throw new IllegalArgumentException(
                    PipelineAlgorithm.NAME
                            + ": options teacherRounds and studentRounds are required (the rounds"
                            + " after them fine-tune the student locally)");
        }
        return new PipelineSettings(
                read.getParsed("teacher", "the teacher's architecture, e.g. cnn", ModelSpec::parse),
                read.getInt("teacherRounds", 1, 1, 1_000_000),
                read.getInt("studentRounds", 1, 1, 1_000_000),
                (float) read.getDouble("alpha", 0.5, 0, 1),
                (float) read.getDouble("temperature", 2, 1e-3, 1e3));
    }
}
