/**
 * A global student on the coordinator, distilled from participants' soft labels (cross-device,
 * cross-institution).
 */
package io.fedistill.algorithms.globalstudent;
