/** DS-FL: soft labels on unlabeled public data, averaged plainly or by entropy reduction (ERA). */
package io.fedistill.algorithms.dsfl;
