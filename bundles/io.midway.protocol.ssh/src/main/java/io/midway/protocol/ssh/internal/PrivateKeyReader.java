package io.midway.protocol.ssh.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.security.SecurityUtils;

import io.midway.protocol.ssh.SshAuthenticationException;
import io.midway.protocol.ssh.SshCommand;

/** Reads the key pair of a private key text: OpenSSH format or PEM, encrypted or not. */
final class PrivateKeyReader {

    private static final NamedResource RESOURCE = NamedResource.ofName("ssh_private_key");

    private PrivateKeyReader() {
    }

    /**
     * @param keyText the private key
     * @param passphrase its passphrase, or {@code null}
     * @return the key pair
     * @throws SshAuthenticationException when the key is encrypted and no passphrase was given, the
     *     passphrase is wrong, or the text is no private key this client reads; never with the key
     *     or passphrase in the message
     */
    static KeyPair read(String keyText, String passphrase) throws SshAuthenticationException {
        AtomicBoolean asked = new AtomicBoolean();
        FilePasswordProvider provider = new FilePasswordProvider() {
            @Override
            public String getPassword(SessionContext session, NamedResource resource, int retryIndex) {
                asked.set(true);
                return passphrase;
            }
        };
        Iterable<KeyPair> pairs;
        try {
            pairs = SecurityUtils.loadKeyPairIdentities(null, RESOURCE,
                    new ByteArrayInputStream(keyText.trim().concat("\n").getBytes(StandardCharsets.UTF_8)), provider);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (asked.get() && passphrase == null) {
                throw new SshAuthenticationException("the private key is encrypted and no passphrase was given", SshCommand.PUBLICKEY);
            }
            if (asked.get()) {
                throw new SshAuthenticationException("the private key cannot be decrypted with the given passphrase", SshCommand.PUBLICKEY);
            }
            throw new SshAuthenticationException("the private key cannot be read (" + e.getClass().getSimpleName()
                    + "); give an OpenSSH (-----BEGIN OPENSSH PRIVATE KEY-----) or PEM private key", SshCommand.PUBLICKEY);
        }
        Iterator<KeyPair> iterator = pairs == null ? null : pairs.iterator();
        if (iterator == null || !iterator.hasNext()) {
            throw new SshAuthenticationException("the private key text holds no private key; give an OpenSSH "
                    + "(-----BEGIN OPENSSH PRIVATE KEY-----) or PEM private key", SshCommand.PUBLICKEY);
        }
        return iterator.next();
    }
}
