/** The coordinator side of an algorithm and what it knows about a round. */
package io.fedistill.core.strategy;
