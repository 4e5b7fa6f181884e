/**
 * The description of one federation that every process of a run starts from: coordinator, workers
 * and participant processes, with no engine types and no data, only references to it.
 */
package io.fedistill.core.federation;
