/** Aggregators that combine participants' tensors on the coordinator. */
package io.fedistill.core.aggregate;
