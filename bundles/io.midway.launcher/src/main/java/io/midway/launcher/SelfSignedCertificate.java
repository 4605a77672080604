package io.midway.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The development HTTPS certificate of the instance: made once, at the first start with HTTPS
 * on, with the JDK's keytool, into {@code <data>/tls/}: {@code keystore.p12} (its password in
 * {@code keystore.password}, mode 600) and {@code instance.crt}, the certificate in PEM for agents
 * to trust ({@code MIDWAY_INSTANCE_CERT}).
 */
final class SelfSignedCertificate {

    /** The folder under the data folder. */
    static final String FOLDER = "tls";
    /** The certificate in PEM, for agents and curl to trust. */
    static final String CERTIFICATE = "instance.crt";

    final Path keystore;
    final String password;
    final Path certificate;

    private SelfSignedCertificate(Path keystore, String password, Path certificate) {
        this.keystore = keystore;
        this.password = password;
        this.certificate = certificate;
    }

    static SelfSignedCertificate ensure(Path data) {
        Path dir = data.resolve(FOLDER);
        Path keystore = dir.resolve("keystore.p12");
        Path passwordFile = dir.resolve("keystore.password");
        Path pem = dir.resolve(CERTIFICATE);
        try {
            if (Files.isRegularFile(keystore) && Files.isRegularFile(passwordFile)) {
                return new SelfSignedCertificate(keystore, Files.readString(passwordFile, StandardCharsets.UTF_8).trim(), pem);
            }
            Files.createDirectories(dir);
            String password = LaunchSettings.generatePassword();
            String host = InetAddress.getLocalHost().getHostName();
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            run(List.of(keytool.toString(), "-genkeypair", "-alias", "midway", "-keyalg", "RSA", "-keysize", "2048",
                    "-validity", "825", "-dname", "CN=" + host + ", O=Midway development",
                    "-ext", "SAN=" + subjectAlternativeNames(host),
                    "-storetype", "PKCS12", "-keystore", keystore.toString(),
                    "-storepass:env", "MIDWAY_KEYSTORE_PASSWORD", "-keypass:env", "MIDWAY_KEYSTORE_PASSWORD"), password);
            run(List.of(keytool.toString(), "-exportcert", "-rfc", "-alias", "midway", "-storetype", "PKCS12",
                    "-keystore", keystore.toString(), "-storepass:env", "MIDWAY_KEYSTORE_PASSWORD", "-file", pem.toString()),
                    password);
            Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
            restrict(passwordFile);
            restrict(keystore);
            System.err.println("midway: made a self-signed certificate for HTTPS (agents on this machine trust it; "
                    + "give it to others with MIDWAY_INSTANCE_CERT, to curl with --cacert): " + pem);
            return new SelfSignedCertificate(keystore, password, pem);
        } catch (IOException e) {
            throw new LaunchException("cannot make the HTTPS certificate in " + dir + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while making the HTTPS certificate");
        }
    }

    /**
     * @param host the host name
     * @return the names the certificate is valid for: localhost, 127.0.0.1, ::1, the host name and
     *     the addresses of the machine's network interfaces that are up, so agents may reach the
     *     instance by name or by address
     */
    static String subjectAlternativeNames(String host) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>(List.of("dns:localhost", "ip:127.0.0.1", "ip:::1"));
        if (host.matches("[A-Za-z0-9.-]+")) {
            names.add("dns:" + host);
        }
        try {
            for (java.net.NetworkInterface nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
                    if (!address.isLinkLocalAddress()) {
                        String text = address.getHostAddress();
                        int zone = text.indexOf('%');
                        names.add("ip:" + (zone < 0 ? text : text.substring(0, zone)));
                    }
                }
            }
        } catch (java.net.SocketException e) {
            // the names above suffice on this machine
        }
        return String.join(",", names);
    }

    private static void run(List<String> command, String password) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("MIDWAY_KEYSTORE_PASSWORD", password);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out.trim());
        }
    }

    private static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }

    /**
     * Makes the trust store of client certificate authorities (mutual TLS) from a PEM file, into
     * {@code <data>/tls/clients.p12} with a new random password, at every start (the PEM file is
     * the operator's; the store is only its copy in the form Jetty reads).
     *
     * @param data the data folder
     * @param pem one or more PEM certificates of the authorities that sign agents' certificates
     * @return the store and its password
     */
    static SelfSignedCertificate clientAuthorities(Path data, Path pem) {
        Path dir = data.resolve(FOLDER);
        Path store = dir.resolve("clients.p12");
        try {
            Files.createDirectories(dir);
            java.util.Collection<? extends java.security.cert.Certificate> certificates;
            try (java.io.InputStream in = Files.newInputStream(pem)) {
                certificates = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (certificates.isEmpty()) {
                throw new LaunchException("MIDWAY_HTTPS_CLIENT_CA: no certificate in " + pem);
            }
            String password = LaunchSettings.generatePassword();
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int n = 0;
            for (java.security.cert.Certificate c : certificates) {
                ks.setCertificateEntry("client-ca-" + n++, c);
            }
            Path tmp = Files.createTempFile(dir, "clients", ".tmp");
            restrict(tmp);
            try (java.io.OutputStream out = Files.newOutputStream(tmp)) {
                ks.store(out, password.toCharArray());
            }
            Files.move(tmp, store, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new SelfSignedCertificate(store, password, pem);
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new LaunchException("MIDWAY_HTTPS_CLIENT_CA: cannot read the certificates in " + pem + ": "
                    + e.getMessage());
        }
    }
}
