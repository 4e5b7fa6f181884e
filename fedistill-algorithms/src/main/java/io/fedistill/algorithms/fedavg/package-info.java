/** FedAvg: example-weighted averaging of participants' weights. */
package io.fedistill.algorithms.fedavg;
