package io.fedistill.core.codec;

/**
 * One tensor's values as a codec put them on the wire: the bytes, the encoding they are in, and
 * whether they were then deflated. The tensor's header carries the encoding and the flag, so the
 * receiver decodes without knowing the sender's codec.
 *
 * @param encoding how the values are written
 * @param deflated whether {@code bytes} are the encoded values compressed with DEFLATE (RFC 1951)
 * @param delta whether the values are the change from a reference both ends hold (a reply's weights
 *     against the task's), which the receiver adds back
 * @param bytes what crosses the wire
 */
public record EncodedValues(
        ValueEncoding encoding, boolean deflated, boolean delta, byte[] bytes) {}
