/** Run outputs: the run directory, metrics CSV, Markdown summary, accuracy plot and provenance. */
package io.fedistill.cli.report;
