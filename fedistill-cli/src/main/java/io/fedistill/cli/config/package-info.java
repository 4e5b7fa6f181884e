/** Experiment files: YAML binding, overrides, validation with errors that name the field. */
package io.fedistill.cli.config;
