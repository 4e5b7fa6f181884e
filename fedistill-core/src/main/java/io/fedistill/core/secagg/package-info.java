/**
 * Secure aggregation: the server learns the sum of the participants' integer vectors and nothing
 * else about any one of them, even when some participants drop out mid-round.
 *
 * <p>This is the protocol of Bonawitz et al., "Practical Secure Aggregation for Privacy-Preserving
 * Machine Learning" (CCS 2017), with the sparse neighbourhoods of SecAgg+ (Bell et al., "Secure
 * Single-Server Aggregation with (Poly)Logarithmic Overhead", CCS 2020) as an option, against a
 * semi-honest server or, signed, an active one. An unsigned round runs in four stages, each a
 * {@link io.fedistill.core.secagg.SecAggStage}: every {@link
 * io.fedistill.core.secagg.SecAggParticipant} advertises two X25519 public keys, Shamir-shares its
 * self-mask seed and masking key among its neighbours, uploads its input plus a self mask and
 * pairwise masks that cancel in the sum, and finally reveals, for each neighbour, the one share the
 * {@link io.fedistill.core.secagg.SecAggServer} needs to strip the masks that did not cancel. Full
 * SecAgg is the neighbourhood {@link io.fedistill.core.secagg.Neighbourhood#everyone()}; SecAgg+ is
 * {@link io.fedistill.core.secagg.Neighbourhood#harary(int)}, and both run the same code.
 *
 * <p>Everything here is transport-agnostic: messages are immutable records of ids, byte arrays and
 * int arrays, the caller moves them between participants and server, and no class starts a thread
 * or opens a connection. Vectors live in the ring of integers modulo 2^32 (Java {@code int}
 * arithmetic); {@link io.fedistill.core.secagg.FixedPoint} maps floats into it and back.
 *
 * <p>Signed secure aggregation ({@link io.fedistill.core.secagg.SecAggConfig#signed()}) is the
 * active-adversary variant of Bonawitz et al.: each participant holds a {@link
 * io.fedistill.core.identity.SigningIdentity} (in a deployment, its certificate from the
 * federation's authority), signs its round keys together with the round's roster, neighbourhood and
 * threshold, checks its neighbours' signatures through a {@link
 * io.fedistill.core.identity.CredentialVerifier}, and before unmasking signs the server's list of
 * survivors, bound to its keys of this execution ({@link
 * io.fedistill.core.secagg.SecAggStage#CONSISTENCY_CHECK}); it reveals shares only for the list it
 * signed, and only when more than two thirds of its closed neighbourhood signed the same list. A
 * server that does not follow the protocol then cannot put its own keys in a participant's place,
 * nor, while fewer than a third of each neighbourhood collude with it, gather both secrets of one
 * participant. It assumes the server holds no participant's signing key, and in SecAgg+ that the
 * server, which lays out the neighbourhoods, does not surround a participant with colluders.
 *
 * <p>Cryptography: X25519 key agreement (RFC 7748), HKDF over HMAC-SHA256, AES-256-GCM for the
 * shares in transit, AES-256-CTR as the mask generator, Shamir sharing over the prime field of
 * 2^521 - 1, and ECDSA, EdDSA or RSA signatures, whichever the identity's key is. In an unsigned
 * round participants still refuse a single request that would reveal both secrets of one neighbour,
 * which guards against mistakes, not against a server that lies.
 */
package io.fedistill.core.secagg;
