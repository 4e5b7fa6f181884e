/** The algorithm SPI (coordinator and participant halves), its setup records and the registry. */
package io.fedistill.algorithms;
