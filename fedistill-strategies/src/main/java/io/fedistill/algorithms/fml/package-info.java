/**
 * FML (Shen et al. 2020), the settings both halves read; the coordinator half is FedAvg's averaging
 * of the shared global model ({@link io.fedistill.algorithms.fedavg.WeightAveragingSettings#fml}).
 */
package io.fedistill.algorithms.fml;
