/**
 * LG-FedAvg (Liang et al. 2020) as HtFLlib runs it with heterogeneous models: only the classifier
 * heads are shared and averaged; every participant keeps its own feature extractor.
 */
package io.fedistill.algorithms.lgfedavg;
