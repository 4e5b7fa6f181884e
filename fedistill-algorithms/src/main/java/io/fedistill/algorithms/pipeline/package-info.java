/**
 * The federated teacher-to-student pipeline: FedAvg a large teacher, hand it to every participant,
 * distill its predictions on each participant's own data into a small student trained by FedAvg,
 * then fine-tune the student locally; all stages in one run.
 */
package io.fedistill.algorithms.pipeline;
