package io.midway.agent.internal.transport;

import io.midway.agent.internal.AgentSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS towards an HTTPS instance: trust in the JDK's authorities plus the certificates of a PEM file
 * ({@code MIDWAY_INSTANCE_CERT}, by default the certificate this distribution's instance generates),
 * re-read when the file appears or changes, so an agent started before its instance trusts the
 * instance's new certificate without a restart; and, for mutual TLS, the agent's own client
 * certificate ({@code MIDWAY_AGENT_KEYSTORE}). Host names are still verified.
 */
public final class InstanceTrust {

    private InstanceTrust() {
    }

    /**
     * @param pem a file with one or more PEM (or DER) X.509 certificates
     * @return an SSL context that trusts them and the JDK's authorities
     * @throws IOException when the file cannot be read or holds no certificate
     */
    public static SSLContext trusting(Path pem) throws IOException {
        return context(pem, null);
    }

    /**
     * @param pem a file of certificates to trust besides the JDK's authorities; it may not exist
     *     yet (then only the JDK's are trusted until it does)
     * @param client the agent's client certificate, or {@code null}
     * @return the SSL context
     * @throws IOException when the file exists and holds no certificate, or the keystore is unusable
     */
    public static SSLContext context(Path pem, AgentSettings.ClientCertificate client) throws IOException {
        try {
            PemTrust extra = new PemTrust(pem);
            if (Files.exists(pem)) {
                extra.current(); // a file that is there must be usable now, not at the first connection
            }
            X509ExtendedTrustManager jdk = trustManager(null);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(client == null ? null : keyManagers(client),
                    new TrustManager[] {new EitherTrustManager(extra, jdk)}, null);
            return context;
        } catch (CertificateException e) {
            throw new IOException("cannot read the certificate file " + pem + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS with " + pem + ": " + e.getMessage(), e);
        }
    }

    private static KeyManager[] keyManagers(AgentSettings.ClientCertificate client) throws IOException {
        String name = client.keystore().getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        char[] password = client.password() == null ? new char[0] : client.password().toCharArray();
        try (InputStream in = Files.newInputStream(client.keystore())) {
            KeyStore store = KeyStore.getInstance(name.endsWith(".jks") ? "JKS" : "PKCS12");
            store.load(in, password);
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory.getKeyManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IOException("MIDWAY_AGENT_KEYSTORE " + client.keystore() + " is not usable (is "
                    + "MIDWAY_AGENT_KEYSTORE_PASSWORD its password?): " + e.getMessage(), e);
        }
    }

    /** The certificates of a PEM file, re-read when its size or time changes. */
    private static final class PemTrust {
        private final Path pem;
        private long stamp = Long.MIN_VALUE;
        private X509ExtendedTrustManager manager;

        PemTrust(Path pem) {
            this.pem = pem;
        }

        synchronized X509ExtendedTrustManager current() throws CertificateException {
            long now;
            try {
                now = Files.getLastModifiedTime(pem).toMillis() * 31 + Files.size(pem);
            } catch (IOException e) {
                throw new CertificateException(pem + " is not there (yet)");
            }
            if (manager == null || now != stamp) {
                try (InputStream in = Files.newInputStream(pem)) {
                    Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                            .generateCertificates(in);
                    if (certificates.isEmpty()) {
                        throw new CertificateException("no certificate in " + pem);
                    }
                    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                    store.load(null, null);
                    int n = 0;
                    for (Certificate certificate : certificates) {
                        store.setCertificateEntry("instance-" + n++, certificate);
                    }
                    manager = trustManager(store);
                    stamp = now;
                } catch (IOException | GeneralSecurityException e) {
                    if (e instanceof CertificateException c) {
                        throw c;
                    }
                    throw new CertificateException("cannot read " + pem + ": " + e.getMessage(), e);
                }
            }
            return manager;
        }
    }

    private static X509ExtendedTrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager available");
    }

    /** Trusts a server that either manager trusts. */
    private static final class EitherTrustManager extends X509ExtendedTrustManager {

        private final PemTrust first;
        private final X509ExtendedTrustManager second;

        EitherTrustManager(PemTrust first, X509ExtendedTrustManager second) {
            this.first = first;
            this.second = second;
        }

        private interface Check {
            void run(X509ExtendedTrustManager manager) throws CertificateException;
        }

        private void either(Check check) throws CertificateException {
            try {
                check.run(first.current());
            } catch (CertificateException e) {
                try {
                    check.run(second);
                } catch (CertificateException e2) {
                    e2.addSuppressed(e);
                    throw e2;
                }
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            either(m -> m.checkServerTrusted(chain, authType, socket));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            either(m -> m.checkServerTrusted(chain, authType, engine));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            either(m -> m.checkServerTrusted(chain, authType));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            either(m -> m.checkClientTrusted(chain, authType, socket));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            either(m -> m.checkClientTrusted(chain, authType, engine));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            either(m -> m.checkClientTrusted(chain, authType));
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            List<X509Certificate> all = new ArrayList<>();
            try {
                all.addAll(List.of(first.current().getAcceptedIssuers()));
            } catch (CertificateException e) {
                // the file is not there (yet): only the JDK's authorities
            }
            all.addAll(List.of(second.getAcceptedIssuers()));
            return all.toArray(X509Certificate[]::new);
        }
    }

    /**
     * A TLS context for a client that reaches its instance over plain HTTP only: it reads no trust
     * store and trusts no server (an HTTPS URL could not be used with it), so making it costs
     * nothing, unlike the JDK's default context, which reads the whole trust store.
     *
     * @return the context, or {@code null} (the JDK's default) when the platform refuses it
     */
    public static javax.net.ssl.SSLContext plainHttp() {
        try {
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(new javax.net.ssl.KeyManager[0], new javax.net.ssl.TrustManager[0], null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            return null;
        }
    }
}
