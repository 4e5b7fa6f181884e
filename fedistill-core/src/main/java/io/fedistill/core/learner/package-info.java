/** The participant side of an algorithm and the state a runtime keeps for it. */
package io.fedistill.core.learner;
