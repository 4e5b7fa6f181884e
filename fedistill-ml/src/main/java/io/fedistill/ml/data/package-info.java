/** Datasets: the IDX reader, Fashion-MNIST and its embedded sample, images held compactly. */
package io.fedistill.ml.data;
