/** The fedistill command line and the experiment runner behind it. */
package io.fedistill.cli;
