/**
 * Who a participant is, provably: a {@link io.fedistill.core.identity.SigningIdentity} pairs a
 * participant's credential (in a deployment, its certificate from the federation's authority) with
 * the private key it certifies, and a {@link io.fedistill.core.identity.CredentialVerifier} decides
 * whom a credential belongs to. Signed secure aggregation builds on them; the transports supply
 * them from the federation's certificates.
 */
package io.fedistill.core.identity;
