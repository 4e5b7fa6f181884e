package io.fedistill.grpc.security;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who a caller is before any call reaches the coordinator: by its TLS client certificate
 * (signed by the federation's CA; its common name is the participant id), by a bearer token (whose
 * SHA-256 the coordinator keeps), or, on loopback without either, as anyone. A revoked participant
 * is refused even with a valid credential, and so is a certificate the authority's revocation list
 * revokes. Refusals end the call with UNAUTHENTICATED or PERMISSION_DENIED and one log line; a
 * token never appears in either.
 */
public final class ParticipantAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(ParticipantAuthenticator.class);

    /** The request header carrying {@code Bearer <token>}. */
    public static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private static final Context.Key<Caller> CALLER = Context.key("fedistill-caller");

    private final boolean certificates;
    private final Map<String, String> tokenDigests;
    private final RevokedParticipants revoked;
    private final Optional<RevocationList> revokedCertificates;

    /**
     * Who is calling.
     *
     * @param participant the participant id the credential belongs to; empty for anyone (loopback
     *     without credentials)
     * @param certificate the client certificate the caller authenticated with, if any
     */
    public record Caller(Optional<String> participant, Optional<X509Certificate> certificate) {
        /** Returns whether this caller may act for the participant. */
        public boolean mayActAs(String participantId) {
            return participant.map(participantId::equals).orElse(true);
        }

        /** Describes the credential for a refusal. */
        public String describe() {
            return participant.map(id -> "the credential of " + id).orElse("this caller");
        }
    }

    private ParticipantAuthenticator(
            boolean certificates,
            Map<String, String> tokenDigests,
            RevokedParticipants revoked,
            Optional<RevocationList> revokedCertificates) {
        this.certificates = certificates;
        this.tokenDigests = Map.copyOf(tokenDigests);
        this.revoked = revoked;
        this.revokedCertificates = revokedCertificates;
    }

    /** Accepts every caller as anyone: for loopback (worker processes, a single machine). */
    public static ParticipantAuthenticator anyone() {
        return new ParticipantAuthenticator(
                false, Map.of(), RevokedParticipants.none(), Optional.empty());
    }

    /**
     * Accepts callers by client certificate (when {@code certificates}) or by token (digests by
     * participant id), refusing the revoked.
     *
     * @throws IllegalArgumentException when neither way is given
     */
    public static ParticipantAuthenticator of(
            boolean certificates, Map<String, String> tokenDigests, Set<String> revoked) {
        return of(certificates, tokenDigests, RevokedParticipants.of(revoked), Optional.empty());
    }

    /**
     * Accepts callers as {@link #of(boolean, Map, Set)} does, the refused ids given as {@link
     * RevokedParticipants} (which may follow a file), refusing as well the certificates the
     * authority's revocation list revokes.
     *
     * @throws IllegalArgumentException when neither way is given, or a revocation list without
     *     certificates
     */
    public static ParticipantAuthenticator of(
            boolean certificates,
            Map<String, String> tokenDigests,
            RevokedParticipants revoked,
            Optional<RevocationList> revokedCertificates) {
        if (!certificates && tokenDigests.isEmpty()) {
            throw new IllegalArgumentException(
                    "participants must authenticate by certificate or token");
        }
        if (!certificates && revokedCertificates.isPresent()) {
            throw new IllegalArgumentException(
                    "a revocation list applies to certificates, and participants authenticate by"
                            + " token only");
        }
        return new ParticipantAuthenticator(
                certificates, tokenDigests, revoked, revokedCertificates);
    }

    /** Returns whether callers must present a credential. */
    public boolean requiresCredentials() {
        return certificates || !tokenDigests.isEmpty();
    }

    /** Returns whether participants may authenticate by token. */
    public boolean acceptsTokens() {
        return !tokenDigests.isEmpty();
    }

    /** Returns the caller of the current call. */
    public static Caller caller() {
        Caller caller = CALLER.get();
        return caller == null ? new Caller(Optional.empty(), Optional.empty()) : caller;
    }

    /**
     * Returns why a caller may no longer act, now: its certificate is revoked, or its participant
     * id. Both lists are read again when their files change, so a connection admitted before can be
     * revoked later.
     */
    public Optional<String> revocation(Caller caller) {
        return revocation(caller.certificate())
                .or(
                        () ->
                                caller.participant()
                                        .filter(revoked::contains)
                                        .map(ParticipantAuthenticator::revokedId));
    }

    private static String revokedId(String participant) {
        return "participant '" + participant + "' is revoked";
    }

    private Optional<String> revocation(Optional<X509Certificate> certificate) {
        return certificate.flatMap(c -> revokedCertificates.flatMap(list -> list.refusal(c)));
    }

    /** Returns the interceptor that authenticates every call. */
    public ServerInterceptor interceptor() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                Status refusal;
                Optional<String> participant = Optional.empty();
                Optional<X509Certificate> certificate = Optional.empty();
                if (!requiresCredentials()) {
                    refusal = null;
                } else {
                    certificate = certificates ? peerCertificate(call) : Optional.empty();
                    Optional<String> byToken = tokenIdentity(headers.get(AUTHORIZATION));
                    participant =
                            certificate
                                    .flatMap(ParticipantAuthenticator::commonName)
                                    .or(() -> byToken);
                    Optional<String> revokedCertificate = revocation(certificate);
                    if (revokedCertificate.isPresent()) {
                        refusal =
                                Status.PERMISSION_DENIED.withDescription(revokedCertificate.get());
                    } else if (participant.isEmpty()) {
                        refusal =
                                Status.UNAUTHENTICATED.withDescription(
                                        "no valid participant credential: present a certificate"
                                                + " signed by the federation's CA or a known token");
                    } else if (revoked.contains(participant.get())) {
                        refusal =
                                Status.PERMISSION_DENIED.withDescription(
                                        revokedId(participant.get()));
                    } else {
                        refusal = null;
                    }
                }
                if (refusal != null) {
                    LOG.warn("refused: {} {}", refusal.getCode(), refusal.getDescription());
                    call.close(refusal, new Metadata());
                    return new ServerCall.Listener<>() {};
                }
                Context context =
                        Context.current().withValue(CALLER, new Caller(participant, certificate));
                return Contexts.interceptCall(context, call, headers, next);
            }
        };
    }

    /** Returns the client certificate the TLS handshake verified, if the caller presented one. */
    private static Optional<X509Certificate> peerCertificate(ServerCall<?, ?> call) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate certificate
                    ? Optional.of(certificate)
                    : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    /** Returns the certificate's common name: the participant id. */
    private static Optional<String> commonName(X509Certificate certificate) {
        try {
            for (Rdn rdn :
                    new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return Optional.of(rdn.getValue().toString());
                }
            }
            return Optional.empty();
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
    }

    private Optional<String> tokenIdentity(String authorization) {
        if (authorization == null
                || !authorization.startsWith("Bearer ")
                || tokenDigests.isEmpty()) {
            return Optional.empty();
        }
        byte[] offered =
                CertificateAuthority.TokenFile.digest(authorization.substring(7))
                        .getBytes(StandardCharsets.US_ASCII);
        for (Map.Entry<String, String> entry : tokenDigests.entrySet()) {
            if (MessageDigest.isEqual(
                    offered, entry.getValue().getBytes(StandardCharsets.US_ASCII))) {
                return Optional.of(entry.getKey());
            }
        }
        return Optional.empty();
    }
}
