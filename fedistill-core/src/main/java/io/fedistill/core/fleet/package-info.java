/** How a coordinator reaches participants: the fleet, its runtime backends and byte counts. */
package io.fedistill.core.fleet;
