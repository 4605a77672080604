package io.midway.testing.jars;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A real signing key for tests, made with the JDK's {@code keytool} in a PKCS12 key store, and
 * jars signed with it by the JDK's {@code jarsigner}: what an operator who signs his plug-ins does.
 */
public final class TestSigner {

    private static final String STORE_PASSWORD = "test-store";

    private final Path keystore;
    private final String alias;
    private final String fingerprint;

    private TestSigner(Path keystore, String alias, String fingerprint) {
        this.keystore = keystore;
        this.alias = alias;
        this.fingerprint = fingerprint;
    }

    /**
     * @param keystore the key store (made when missing; several signers may share one)
     * @param alias the key's alias
     * @param dname the certificate's subject, e.g. {@code CN=Plug-in signer}
     * @return the signer, with its certificate's SHA-256 fingerprint as keytool prints it
     * @throws IOException when keytool fails
     */
    public static TestSigner make(Path keystore, String alias, String dname) throws IOException {
        run(tool("keytool"), "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", dname, "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD);
        String listing = run(tool("keytool"), "-list", "-v", "-alias", alias, "-keystore", keystore.toString(),
                "-storepass", STORE_PASSWORD);
        for (String line : listing.split("\n")) {
            if (line.strip().startsWith("SHA256:")) {
                return new TestSigner(keystore, alias, line.strip().substring(7).strip());
            }
        }
        throw new IOException("no SHA256 line in keytool's listing:\n" + listing);
    }

    /** @return the certificate's SHA-256 fingerprint, {@code AB:CD:…} as keytool prints it */
    public String fingerprint() {
        return fingerprint;
    }

    /**
     * Signs a jar in place.
     *
     * @return {@code jar}
     * @throws IOException when jarsigner fails
     */
    public Path sign(Path jar) throws IOException {
        run(tool("jarsigner"), "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD,
                jar.toString(), alias);
        return jar;
    }

    /**
     * Signs a copy of a jar.
     *
     * @return {@code out}
     * @throws IOException when copying or jarsigner fails
     */
    public Path signCopy(Path jar, Path out) throws IOException {
        Files.copy(jar, out, StandardCopyOption.REPLACE_EXISTING);
        return sign(out);
    }

    private static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private static String run(String... command) throws IOException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command).replace(STORE_PASSWORD, "****") + " failed:\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out;
    }
}
