/** Boundary checks on participant replies: names, shapes, finiteness, required metrics. */
package io.fedistill.core.validate;
