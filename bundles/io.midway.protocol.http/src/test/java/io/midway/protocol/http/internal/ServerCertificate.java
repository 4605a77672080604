package io.midway.protocol.http.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** A self-signed server certificate made with the JDK's keytool, for HTTPS tests. */
public final class ServerCertificate {

    static final String STORE_PASSWORD = "test-store-pass";

    final Path keyStore;
    final Certificate certificate;

    private ServerCertificate(Path keyStore, Certificate certificate) {
        this.keyStore = keyStore;
        this.certificate = certificate;
    }

    /**
     * @param dir where to write the key store
     * @param name a file name
     * @param san the subjectAltName, e.g. {@code ip:127.0.0.1}
     */
    public static ServerCertificate make(Path dir, String name, String san) throws Exception {
        Path store = dir.resolve(name + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=midway-test", "-ext", "SAN=" + san, "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", STORE_PASSWORD).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        KeyStore keys = load(store);
        return new ServerCertificate(store, keys.getCertificate("server"));
    }

    private static KeyStore load(Path store) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, STORE_PASSWORD.toCharArray());
        }
        return keys;
    }

    /** @return a server-side TLS context presenting this certificate */
    public SSLContext serverContext() throws Exception {
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(load(keyStore), STORE_PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        return context;
    }

    /** Writes the certificates as one PEM file. */
    public static Path pem(Path file, List<ServerCertificate> certificates) throws Exception {
        StringBuilder text = new StringBuilder();
        for (ServerCertificate c : certificates) {
            text.append("-----BEGIN CERTIFICATE-----\n")
                    .append(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(c.certificate.getEncoded()))
                    .append("\n-----END CERTIFICATE-----\n");
        }
        Files.writeString(file, text.toString());
        return file;
    }

    /** Writes a PKCS12 trust store holding only this certificate. */
    public Path trustStore(Path file, String password) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", certificate);
        try (OutputStream out = Files.newOutputStream(file)) {
            trust.store(out, password.toCharArray());
        }
        return file;
    }
}
