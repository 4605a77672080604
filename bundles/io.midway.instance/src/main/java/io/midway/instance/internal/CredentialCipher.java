package io.midway.instance.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;

import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encryption at rest of credential secrets: AES-256-GCM under the instance master key, kept in
 * {@code <midway.data>/credentials.key} (created once, owner read/write only, never replaced).
 * Each value gets a fresh 12-byte IV; the additional authenticated data is the credential's
 * sys_id and the field name, so a ciphertext moved to another field or credential does not
 * decrypt. A ciphertext is {@code v1:} + base64(IV ‖ ciphertext ‖ tag).
 */
public final class CredentialCipher {

    /** The name of the key file in the data directory. */
    public static final String KEY_FILE = "credentials.key";

    private static final Logger LOG = LoggerFactory.getLogger(CredentialCipher.class);
    private static final String KEY_HEADER = "midway-credential-key-v1:";
    private static final String CIPHERTEXT_PREFIX = "v1:";
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final int KEY_BYTES = 32;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    /** What the key check encrypts: a database and a key file that belong together decrypt it. */
    private static final String CHECK_PLAINTEXT = "midway credential master key";
    private static final String CHECK_CONTEXT = "instance_state";
    private static final String CHECK_FIELD = "credential_key_check";

    private final SecretKey key;
    private final SecureRandom random = new SecureRandom();

    private CredentialCipher(SecretKey key) {
        this.key = key;
    }

    /**
     * Reads the master key, or creates it when the file does not exist and {@code mayCreate}.
     *
     * @param file the key file
     * @param mayCreate whether a missing file may be created (false when the database already
     *     holds secrets: a new key could not decrypt them)
     * @return the cipher
     * @throws IllegalStateException with a message for the operator when the key is missing (and
     *     may not be created), unreadable or damaged
     */
    public static CredentialCipher open(Path file, boolean mayCreate) {
        Path path = file.toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            if (!mayCreate) {
                throw new IllegalStateException("the credential master key " + path + " is missing, but the database "
                        + "holds secrets encrypted with it; restore the file from a backup (a new key cannot decrypt "
                        + "them)");
            }
            try {
                create(path);
                LOG.info("Created the credential master key {} (owner read/write only); back it up with the database",
                        path);
            } catch (FileAlreadyExistsException e) {
                LOG.info("The credential master key {} appeared while creating it; reading it", path);
            } catch (IOException e) {
                throw new IllegalStateException("cannot create the credential master key " + path + ": " + e, e);
            }
        }
        return new CredentialCipher(read(path));
    }

    private static void create(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        byte[] raw;
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(KEY_BYTES * 8, new SecureRandom());
            raw = generator.generateKey().getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IOException("AES-256 is not available: " + e.getMessage(), e);
        }
        byte[] text = (KEY_HEADER + Base64.getEncoder().encodeToString(raw) + "\n").getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(raw, (byte) 0);
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel channel = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                ownerOnly(path))) {
            channel.write(ByteBuffer.wrap(text));
            channel.force(true);
        } finally {
            Arrays.fill(text, (byte) 0);
        }
        // Never over an existing key: a hard link (atomic) fails when the name exists, unlike a rename.
        try {
            Files.createLink(path, tmp);
        } catch (UnsupportedOperationException e) {
            Files.move(tmp, path);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static FileAttribute<?>[] ownerOnly(Path path) {
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
        }
        return new FileAttribute<?>[0];
    }

    private static SecretKey read(Path path) {
        byte[] content;
        try {
            content = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("the credential master key " + path + " is missing", e);
        } catch (AccessDeniedException e) {
            throw new IllegalStateException("cannot read the credential master key " + path
                    + ": permission denied (it must be readable by the user running the instance)", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the credential master key " + path + ": " + e, e);
        }
        String text = new String(content, StandardCharsets.US_ASCII).strip();
        Arrays.fill(content, (byte) 0);
        if (!text.startsWith(KEY_HEADER)) {
            throw damaged(path, "it does not start with " + KEY_HEADER.substring(0, KEY_HEADER.length() - 1));
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(text.substring(KEY_HEADER.length()));
        } catch (IllegalArgumentException e) {
            throw damaged(path, "the key is not valid base64");
        }
        if (raw.length != KEY_BYTES) {
            Arrays.fill(raw, (byte) 0);
            throw damaged(path, "the key has " + raw.length + " bytes instead of " + KEY_BYTES);
        }
        warnIfOpen(path);
        SecretKey key = new SecretKeySpec(raw, "AES");
        Arrays.fill(raw, (byte) 0);
        return key;
    }

    private static IllegalStateException damaged(Path path, String why) {
        return new IllegalStateException("the credential master key " + path + " is damaged: " + why
                + "; restore it from a backup (the stored secrets cannot be decrypted without it)");
    }

    private static void warnIfOpen(Path path) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
            if (permissions.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                LOG.warn("The credential master key {} is accessible to others ({}); it should be rw-------", path,
                        PosixFilePermissions.toString(permissions));
            }
        } catch (UnsupportedOperationException | IOException e) {
            LOG.debug("Cannot read the permissions of {}: {}", path, e.toString());
        }
    }

    /**
     * @param context the credential's sys_id
     * @param field the field name
     * @param value the secret value
     * @return the ciphertext to store
     */
    public String encrypt(String context, String field, String value) {
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(aad(context, field));
            byte[] sealed = cipher.doFinal(value.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[IV_BYTES + sealed.length];
            System.arraycopy(iv, 0, out, 0, IV_BYTES);
            System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
            return CIPHERTEXT_PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed: " + e.getMessage(), e);
        }
    }

    /**
     * @param context the credential's sys_id
     * @param field the field name
     * @param ciphertext what {@link #encrypt} returned for them
     * @return the secret value
     * @throws IllegalStateException when it does not decrypt (another key, another field or
     *     credential, or damaged); the message names no secret
     */
    public String decrypt(String context, String field, String ciphertext) {
        if (ciphertext == null || !ciphertext.startsWith(CIPHERTEXT_PREFIX)) {
            throw new IllegalStateException("secret " + field + " of credential " + context
                    + " is not a ciphertext of this instance");
        }
        try {
            byte[] in = Base64.getDecoder().decode(ciphertext.substring(CIPHERTEXT_PREFIX.length()));
            if (in.length < IV_BYTES + TAG_BITS / 8) {
                throw new IllegalStateException("secret " + field + " of credential " + context + " is truncated");
            }
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
            cipher.updateAAD(aad(context, field));
            byte[] plain = cipher.doFinal(in, IV_BYTES, in.length - IV_BYTES);
            String value = new String(plain, StandardCharsets.UTF_8);
            Arrays.fill(plain, (byte) 0);
            return value;
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IllegalStateException("secret " + field + " of credential " + context
                    + " does not decrypt with the master key (another key, or the value was tampered with)", e);
        }
    }

    /** @return a value to keep in the database that only this key decrypts */
    public String keyCheck() {
        return encrypt(CHECK_CONTEXT, CHECK_FIELD, CHECK_PLAINTEXT);
    }

    /**
     * @param check a value {@link #keyCheck()} made
     * @return whether this key made it
     */
    public boolean matches(String check) {
        try {
            return CHECK_PLAINTEXT.equals(decrypt(CHECK_CONTEXT, CHECK_FIELD, check));
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static byte[] aad(String context, String field) {
        // field names never contain '/', so the pair is unambiguous
        return (context + "/" + field).getBytes(StandardCharsets.UTF_8);
    }
}
