/** The immutable messages exchanged between a coordinator and its participants. */
package io.fedistill.core.message;
