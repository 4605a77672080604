package io.midway.protocol.http.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the TLS context from a trust store file: PEM certificates or a PKCS12 store.
 */
final class TrustMaterial {

    /**
     * The prefix of an encrypted configuration value. The credential store's configuration plugin
     * opens such values before they reach this component; one still here did not open.
     */
    static final String ENCRYPTED_PREFIX = "encrypted:";

    private TrustMaterial() {
    }

    /**
     * @param path the trust store: a PEM file (detected by its {@code -----BEGIN} marker) or PKCS12
     * @param password the PKCS12 password, empty for none; ignored for PEM
     * @return a TLS context trusting exactly the certificates of that file
     * @throws IOException with a message for the operator (the path and the reason, never the
     *     password) when the file cannot be read or holds no usable certificate
     */
    static SSLContext sslContext(Path path, String password) throws IOException {
        byte[] content;
        try {
            content = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new IOException("trust store " + path + " does not exist");
        } catch (IOException e) {
            throw new IOException("trust store " + path + " cannot be read: " + e.getMessage(), e);
        }
        KeyStore store;
        try {
            if (isPem(content)) {
                store = fromPem(path, content);
            } else {
                if (password.startsWith(ENCRYPTED_PREFIX)) {
                    throw new IOException("truststore.password is an encrypted: value that did not open on this agent (altered, "
                            + "made on another agent, or no credential store running; see the log): make it again with "
                            + "mid:encrypt on this agent, or give the password of " + path + " in clear");
                }
                store = KeyStore.getInstance("PKCS12");
                try {
                    store.load(new ByteArrayInputStream(content), password.toCharArray());
                } catch (IOException e) {
                    throw new IOException("trust store " + path + " is neither PEM nor a PKCS12 store that opens with the "
                            + "configured truststore.password (" + e.getMessage() + ")", e);
                }
                if (store.size() == 0) {
                    throw new IOException("trust store " + path + " holds no certificate");
                }
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("trust store " + path + " is not usable: " + e.getMessage(), e);
        }
    }

    private static boolean isPem(byte[] content) {
        return new String(content, StandardCharsets.ISO_8859_1).contains("-----BEGIN CERTIFICATE-----");
    }

    private static KeyStore fromPem(Path path, byte[] content) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certificates;
        try {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(content));
        } catch (GeneralSecurityException e) {
            throw new IOException("trust store " + path + " holds an unreadable PEM certificate: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IOException("trust store " + path + " holds no certificate");
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int index = 0;
        for (Certificate certificate : certificates) {
            store.setCertificateEntry("trusted-" + index++, certificate);
        }
        return store;
    }
}
