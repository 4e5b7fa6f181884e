/**
 * Partitioners that split training data among participants: IID, Dirichlet, shards, quantity skew.
 */
package io.fedistill.ml.partition;
