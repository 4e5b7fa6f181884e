/** The model zoo: named architectures with a separable feature extractor and classifier head. */
package io.fedistill.ml.model;
