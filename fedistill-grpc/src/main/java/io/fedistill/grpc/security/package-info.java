/**
 * Who may take part: the federation's certificate authority, TLS settings for both ends, and the
 * authenticator that maps a caller's certificate or token to the participant ids it may act for.
 */
package io.fedistill.grpc.security;
