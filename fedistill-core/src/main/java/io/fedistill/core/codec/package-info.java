/** Versioned codecs that turn messages into counted bytes and back. */
package io.fedistill.core.codec;
