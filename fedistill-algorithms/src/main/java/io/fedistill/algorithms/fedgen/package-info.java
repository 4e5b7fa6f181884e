/**
 * FedGen (Zhu et al. 2021): the coordinator learns a conditional generator in feature space from
 * the participants' classifier heads and label counts, and participants regularize their heads with
 * its features; heads (or, for one architecture, whole models) are averaged.
 */
package io.fedistill.algorithms.fedgen;
