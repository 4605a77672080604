package io.midway.instance.internal;

import io.midway.instance.api.Identities;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.midway.instance.api.UserRow;

/**
 * The identities of the {@code sys_user} table: one per agent (role {@code mid_server}, bound to
 * one agent name), made at an agent's enrollment or by an admin, and further admins. Passwords are
 * kept as salted PBKDF2 hashes; a password that was checked once is remembered (as a SHA-256 of
 * user and password, in memory) so that an agent's every poll does not pay the hash again. Any
 * change forgets what was remembered.
 */
@Component(service = {Identities.class})
public class AgentIdentities implements Identities {

    private static final Logger LOG = LoggerFactory.getLogger(AgentIdentities.class);
    private static final int ITERATIONS = 60_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);


    private final InstanceCore service;
    private final Map<String, Identity> checked = new ConcurrentHashMap<>();

    /** @param service the instance, which holds the database */
    @Activate
    public AgentIdentities(@Reference InstanceCore service) {
        this.service = service;
    }

    /**
     * @param agentName an agent's name
     * @return the user name its enrolled identity gets
     */
    public static String userNameFor(String agentName) {
        return Identities.userNameFor(agentName);
    }

    /**
     * @param userName the user name given
     * @param password the password given
     * @return the identity, when it exists, is active and the password matches
     */
    public Optional<Identity> authenticate(String userName, String password) {
        String key = cacheKey(userName, password);
        Identity known = checked.get(key);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<UserRow> row = find(userName);
        if (row.isEmpty() || !row.get().active() || !matches(password, row.get().passwordHash())) {
            return Optional.empty();
        }
        Identity identity = identity(row.get());
        checked.put(key, identity);
        return Optional.of(identity);
    }

    /**
     * The identity of an agent that presented a client certificate the instance trusts (mutual
     * TLS): made at its first request (source {@value #SOURCE_CERTIFICATE}, with a random password
     * nobody knows, so it logs in by its certificate only), then listed, disabled and deleted like
     * any other.
     *
     * @param agentName the agent the certificate names
     * @return its identity, or empty when an admin disabled it or bound that user name to another agent
     */
    public Optional<Identity> byCertificate(String agentName) {
        String key = "certificate\u0000" + agentName;
        Identity known = checked.get(key);
        if (known != null) {
            return Optional.of(known);
        }
        String userName = userNameFor(agentName);
        // Read first: only a certificate's first request writes (a disabled one keeps asking).
        Optional<UserRow> stored = find(userName);
        Optional<UserRow> row = stored.isPresent() ? stored : service.writeStore(s -> {
            Optional<UserRow> existing = s.user(userName);
            if (existing.isPresent()) {
                return existing;
            }
            UserRow made = new UserRow(newSysId(), userName, ROLE_MID_SERVER, agentName, true, hash(newSecret()),
                    SOURCE_CERTIFICATE, TIME.format(Instant.now()));
            s.insertUser(made);
            LOG.info("Agent {} presented a trusted client certificate: identity '{}' made for it", agentName, userName);
            return Optional.of(made);
        });
        if (row.isEmpty() || !row.get().active() || !agentName.equals(row.get().agent())) {
            return Optional.empty();
        }
        // A certificate is an agent and nothing more, whatever roles an admin gave a row of that name.
        Identity identity = new Identity(row.get().userName(), Set.of(ROLE_MID_SERVER), agentName);
        checked.put(key, identity);
        return Optional.of(identity);
    }

    /**
     * @param userName a user name
     * @return its row, when it exists
     */
    public Optional<UserRow> find(String userName) {
        return service.read(s -> s.user(userName));
    }

    /**
     * @param agentName an agent's name
     * @return the identities bound to it
     */
    public List<UserRow> ofAgent(String agentName) {
        return service.read(s -> s.usersOf(agentName));
    }

    /** @return every identity */
    public List<UserRow> all() {
        return service.read(s -> new ArrayList<>(s.users()));
    }

    /**
     * Makes (or, when it exists, gives a new password to) the enrolled identity of an agent.
     *
     * @param agentName the agent
     * @return the new password, in clear: the caller hands it to the agent once, never stores it
     */
    public String enroll(String agentName) {
        String password = newSecret();
        String userName = userNameFor(agentName);
        String hash = hash(password);
        UserRow stored = service.writeStore(s -> {
            Optional<UserRow> existing = s.user(userName);
            UserRow row;
            if (existing.isPresent()) {
                UserRow u = existing.get();
                row = new UserRow(u.sysId(), u.userName(), u.roles(), agentName, u.active(), hash, u.source(), u.createdOn());
                s.updateUser(row);
            } else {
                row = new UserRow(newSysId(), userName, ROLE_MID_SERVER, agentName, true, hash, SOURCE_ENROLLED,
                        TIME.format(Instant.now()));
                s.insertUser(row);
            }
            return row;
        });
        // Forget only this user's checked passwords (not every agent's: each would pay the hash
        // again at its next poll, 5,000 hashes for one enrollment among 5,000 agents), and
        // remember the new one, which was just hashed: the agent's first poll does not hash it again.
        checked.values().removeIf(known -> known.userName().equals(userName));
        if (stored.active()) {
            checked.put(cacheKey(userName, password), identity(stored));
        }
        LOG.info("Agent {} enrolled: it now logs in as its own user '{}'", agentName, userName);
        return password;
    }

    /**
     * Makes an identity (an admin's action).
     *
     * @param row the identity; its password hash is made here from {@code password}
     * @param password the clear password
     * @return the row as stored
     */
    public UserRow create(UserRow row, String password) {
        UserRow stored = new UserRow(newSysId(), row.userName(), row.roles(), row.agent(), row.active(), hash(password),
                SOURCE_ADMIN, TIME.format(Instant.now()));
        service.writeStore(s -> {
            s.insertUser(stored);
            return null;
        });
        checked.clear();
        LOG.info("Identity '{}' created by an admin (roles {}, agent {})", row.userName(), row.roles(),
                row.agent() == null ? "none" : row.agent());
        return stored;
    }

    /**
     * @param row the identity as it is to be
     * @param password a new clear password, or {@code null} to keep the old one
     * @return the row as stored
     */
    public UserRow update(UserRow row, String password) {
        UserRow stored = password == null ? row
                : new UserRow(row.sysId(), row.userName(), row.roles(), row.agent(), row.active(), hash(password),
                        row.source(), row.createdOn());
        service.writeStore(s -> {
            s.updateUser(stored);
            return null;
        });
        checked.clear();
        return stored;
    }

    /**
     * @param sysId an identity's sys_id
     * @return whether it was there
     */
    public boolean delete(String sysId) {
        boolean deleted = service.writeStore(s -> s.deleteUser(sysId));
        checked.clear();
        return deleted;
    }

    private static Identity identity(UserRow row) {
        Set<String> roles = Set.copyOf(List.of(row.roles().split("\\s*,\\s*")));
        return new Identity(row.userName(), roles, row.agent());
    }

    /** @return a new random secret: 24 bytes, URL-safe base64 */
    static String newSecret() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String newSysId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    static String hash(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return "pbkdf2$" + ITERATIONS + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(pbkdf2(password, salt, ITERATIONS));
    }

    static boolean matches(String password, String stored) {
        String[] parts = stored == null ? new String[0] : stored.split("\\$");
        if (parts.length != 4 || !"pbkdf2".equals(parts[0])) {
            return false;
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            return MessageDigest.isEqual(expected, pbkdf2(password, salt, iterations));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from the JVM", e);
        }
    }

    private static String cacheKey(String user, String password) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest((user + "\u0000" + password)
                    .getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JVM", e);
        }
    }
}
