package io.midway.testing.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real OpenSSH {@code sshd} (Debian package {@code openssh-server}) on 127.0.0.1 and a free high
 * port, with its own configuration and ed25519 host key in its temporary folder.
 *
 * <p>Key login works for the user running the test ({@link #user()}, root here): the fixture makes
 * an ed25519 key without passphrase and an RSA key with a passphrase and authorizes both. Password
 * login needs a real account with a known password, given by the environment variables
 * {@value #USER_VARIABLE} and {@value #PASSWORD_VARIABLE} ({@link #passwordLogin()}).
 *
 * <pre>
 * try (OpenSshServer ssh = OpenSshServer.start()) {
 *     ssh.port(); ssh.user(); ssh.ed25519PrivateKey(); ssh.hostKeyFingerprint();
 * }
 * </pre>
 */
public final class OpenSshServer extends ExternalServer {

    /** The environment variable naming the system account for password logins. */
    public static final String USER_VARIABLE = "MIDWAY_IT_SSH_USER";

    /** The environment variable holding that account's password. */
    public static final String PASSWORD_VARIABLE = "MIDWAY_IT_SSH_PASSWORD";

    private static final Pattern VERSION = Pattern.compile("OpenSSH_(\\d+)\\.(\\d+)");

    private final int port;
    private String hostPublicKey;
    private String ed25519PrivateKey;
    private String ed25519PublicKey;
    private String rsaPrivateKey;
    private String rsaPublicKey;
    private String rsaPassphrase;

    private OpenSshServer(int port) {
        super("OpenSSH");
        this.port = port;
    }

    /**
     * Starts {@code sshd} on a free port and waits until it accepts connections.
     *
     * @return the running server
     * @throws IllegalStateException when {@code sshd} or {@code ssh-keygen} is not installed (the
     *     message names the package) or the server does not start
     */
    public static OpenSshServer start() {
        return start(freeTcpPort());
    }

    /**
     * Starts {@code sshd} on a given port, with a new host key: start a second server on the port of
     * a closed one to play a host whose key changed.
     *
     * @param port a free TCP port on 127.0.0.1
     * @return the running server
     */
    public static OpenSshServer start(int port) {
        Path sshd = binary("sshd");
        Path keygen = binary("ssh-keygen");
        OpenSshServer server = new OpenSshServer(port);
        try {
            server.configure(sshd, keygen);
            server.startProcess(List.of(sshd.toString(), "-D", "-e", "-f", server.folder().resolve("sshd_config").toString()));
            server.awaitReady(Duration.ofSeconds(20), "listening on 127.0.0.1:" + port, () -> accepts(port));
            return server;
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    private void configure(Path sshd, Path keygen) {
        Path folder = folder();
        if (runningAsRoot()) {
            // sshd's privilege separation needs this empty folder, which the Debian service unit makes
            try {
                Files.createDirectories(Paths.get("/run/sshd"));
            } catch (IOException e) {
                throw new IllegalStateException("sshd needs the folder /run/sshd and it cannot be made: " + e.getMessage(), e);
            }
        }
        Path hostKey = folder.resolve("ssh_host_ed25519_key");
        runToCompletion(Duration.ofSeconds(30), List.of(keygen.toString(), "-q", "-t", "ed25519", "-N", "", "-C", "midway-test-host",
                "-f", hostKey.toString()));
        Path ed25519 = folder.resolve("client_ed25519");
        runToCompletion(Duration.ofSeconds(30), List.of(keygen.toString(), "-q", "-t", "ed25519", "-N", "", "-C", "midway-test-ed25519",
                "-f", ed25519.toString()));
        rsaPassphrase = "rsa-" + HexFormat.of().formatHex(randomBytes(12));
        Path rsa = folder.resolve("client_rsa");
        runToCompletion(Duration.ofSeconds(60), List.of(keygen.toString(), "-q", "-t", "rsa", "-b", "2048", "-N", rsaPassphrase, "-C",
                "midway-test-rsa", "-f", rsa.toString()));
        hostPublicKey = withoutComment(read(folder.resolve("ssh_host_ed25519_key.pub")));
        ed25519PrivateKey = read(ed25519);
        ed25519PublicKey = read(folder.resolve("client_ed25519.pub")).trim();
        rsaPrivateKey = read(rsa);
        rsaPublicKey = read(folder.resolve("client_rsa.pub")).trim();
        write(folder.resolve("authorized_keys"), ed25519PublicKey + "\n" + rsaPublicKey + "\n");

        List<String> config = new ArrayList<>(List.of(
                "ListenAddress " + HOST,
                "Port " + port,
                "HostKey " + hostKey,
                "PidFile " + folder.resolve("sshd.pid"),
                "StrictModes no",
                "AuthorizedKeysFile " + folder.resolve("authorized_keys"),
                // without PAM, sshd checks passwords against /etc/shadow itself (it runs as root)
                "UsePAM no",
                "PasswordAuthentication yes",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "X11Forwarding no",
                "AllowTcpForwarding no",
                "PrintMotd no",
                "LogLevel INFO"));
        if (atLeast(sshd, 9, 8)) {
            // tests log in with wrong passwords on purpose: do not shut 127.0.0.1 out afterwards
            config.add("PerSourcePenalties no");
        }
        write(folder.resolve("sshd_config"), String.join("\n", config) + "\n");
    }

    /** @return the TCP port on {@value ExternalServer#HOST} */
    public int port() {
        return port;
    }

    /** @return the host, always {@value ExternalServer#HOST} */
    public String host() {
        return HOST;
    }

    /** @return the user key logins are for: the user running this JVM (root here) */
    public String user() {
        return System.getProperty("user.name");
    }

    /** @return the authorized ed25519 private key, OpenSSH format, without passphrase */
    public String ed25519PrivateKey() {
        return ed25519PrivateKey;
    }

    /** @return the public line ({@code ssh-ed25519 AAAA… comment}) of {@link #ed25519PrivateKey()} */
    public String ed25519PublicKey() {
        return ed25519PublicKey;
    }

    /** @return the authorized RSA (2048 bit) private key, OpenSSH format, encrypted with {@link #rsaPassphrase()} */
    public String rsaPrivateKey() {
        return rsaPrivateKey;
    }

    /** @return the passphrase of {@link #rsaPrivateKey()} */
    public String rsaPassphrase() {
        return rsaPassphrase;
    }

    /** @return the server's public host key as {@code ssh-ed25519 AAAA…} (type and base64, no comment) */
    public String hostPublicKey() {
        return hostPublicKey;
    }

    /** @return the host key's OpenSSH fingerprint, {@code SHA256:} and unpadded base64 */
    public String hostKeyFingerprint() {
        return fingerprint(hostPublicKey);
    }

    /** @return a known_hosts line for this server: {@code [127.0.0.1]:port ssh-ed25519 AAAA…} */
    public String knownHostsLine() {
        return "[" + HOST + "]:" + port + " " + hostPublicKey;
    }

    /**
     * The system account for password logins, from {@value #USER_VARIABLE} and
     * {@value #PASSWORD_VARIABLE}.
     *
     * @return the account
     * @throws IllegalStateException when the variables are not set, saying how to set them
     */
    public static PasswordLogin passwordLogin() {
        return passwordLogin(System.getenv());
    }

    static PasswordLogin passwordLogin(Map<String, String> environment) {
        String user = environment.get(USER_VARIABLE);
        String password = environment.get(PASSWORD_VARIABLE);
        if (user == null || user.isBlank() || password == null || password.isEmpty()) {
            throw new IllegalStateException("SSH password login tests need a system account with a known password, given as "
                    + USER_VARIABLE + " and " + PASSWORD_VARIABLE + ". .ci/run makes one; by hand (as root): "
                    + "useradd -m -s /bin/sh midway-it && pw=$(openssl rand -hex 16) && echo \"midway-it:$pw\" | chpasswd && "
                    + "export " + USER_VARIABLE + "=midway-it " + PASSWORD_VARIABLE + "=$pw");
        }
        return new PasswordLogin(user.trim(), password);
    }

    /**
     * @param publicKeyLine {@code type base64 [comment]}
     * @return its OpenSSH SHA256 fingerprint
     */
    static String fingerprint(String publicKeyLine) {
        String[] parts = publicKeyLine.trim().split("\\s+");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Base64.getDecoder().decode(parts[1]));
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A system account and its password; {@link #toString()} never shows the password. */
    public static final class PasswordLogin {

        private final String user;
        private final String password;

        PasswordLogin(String user, String password) {
            this.user = Objects.requireNonNull(user);
            this.password = Objects.requireNonNull(password);
        }

        /** @return the account name */
        public String user() {
            return user;
        }

        /** @return its password */
        public String password() {
            return password;
        }

        @Override
        public String toString() {
            return "PasswordLogin[" + user + "]";
        }
    }

    private boolean atLeast(Path sshd, int major, int minor) {
        String version;
        try {
            Process process = new ProcessBuilder(sshd.toString(), "-V").redirectErrorStream(true).start();
            version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor();
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        Matcher matcher = VERSION.matcher(version);
        if (!matcher.find()) {
            return false;
        }
        int foundMajor = Integer.parseInt(matcher.group(1));
        int foundMinor = Integer.parseInt(matcher.group(2));
        return foundMajor > major || (foundMajor == major && foundMinor >= minor);
    }

    private static String withoutComment(String publicKeyLine) {
        String[] parts = publicKeyLine.trim().split("\\s+");
        return parts[0] + " " + parts[1];
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.write(file, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
