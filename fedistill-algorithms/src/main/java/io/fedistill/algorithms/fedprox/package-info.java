/** FedProx: FedAvg with a proximal term in the participants' objective. */
package io.fedistill.algorithms.fedprox;
