/**
 * FedKD (Wu et al. 2022), the coordinator half: averages the participants' shared mentees, whose
 * updates may arrive as truncated-SVD factors ({@link
 * io.fedistill.algorithms.fedkd.LowRankUpdate}).
 */
package io.fedistill.algorithms.fedkd;
