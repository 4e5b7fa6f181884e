/** Benchmarks run from the command line, with ratios measured side by side in one process. */
package io.fedistill.cli.bench;
