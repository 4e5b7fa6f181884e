/** FedMD: transfer learning on public data, then consensus on public class scores. */
package io.fedistill.algorithms.fedmd;
