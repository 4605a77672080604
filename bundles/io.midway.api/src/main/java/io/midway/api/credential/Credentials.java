package io.midway.api.credential;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The credentials an agent holds, as a service for probes. The agent core implements it.
 *
 * <p>For a target, the credentials of a type are tried in this order: the one that last worked
 * for that target (affinity), then by {@link Credential#order() order}, then by name. Only active
 * credentials are offered. {@link #tryEach(CredentialType, String, Attempt) tryEach} does all of
 * it, including recording what worked.
 */
@ProviderType
public interface Credentials {

    /**
     * Finds a credential by id or name, active or not (a probe request may name one).
     *
     * @param idOrName a {@code sys_id} or a credential name
     * @return the credential, or empty when the agent holds none by that id or name
     */
    Optional<Credential> find(String idOrName);

    /**
     * The active credentials of a type, in the order to try them for a target: the one that last
     * worked for it first, then by {@link Credential#order() order}, then by name.
     *
     * @param type the credential type
     * @param target the host, address or URL the credential is for, or {@code null} for no
     *     affinity
     * @return the candidates, possibly none; a snapshot the caller may keep
     */
    List<Credential> candidates(CredentialType type, String target);

    /**
     * Records that a credential worked for a target, so that it is tried first next time. The
     * agent keeps this affinity and reports it to the instance.
     *
     * @param credential a credential from this service
     * @param target the host, address or URL it worked for; {@code null} records nothing
     */
    void worked(Credential credential, String target);

    /**
     * Tries the {@link #candidates(CredentialType, String) candidates} in order until one attempt
     * returns without throwing, {@link #worked(Credential, String) records} that credential for
     * the target and returns the attempt's result.
     *
     * <p>When there is no candidate it throws {@code "no active <type> credential for <target>"};
     * when every attempt fails it throws one exception whose message lists each credential's name
     * with its failure message, in the order tried, the failures added as suppressed exceptions.
     * When an attempt throws {@link InterruptedException}, it stops at once, sets the thread's
     * interrupt flag again and throws a {@link CredentialException} with it as cause. Exceptions
     * of an attempt are shown to the operator, so they must not contain a secret.
     *
     * @param <T> what an attempt gives, e.g. a session
     * @param type the credential type
     * @param target the host, address or URL, or {@code null} for no affinity
     * @param attempt the work to try with one credential
     * @return the result of the first attempt that succeeded
     * @throws CredentialException when there is no candidate, every attempt failed, or the thread
     *     was interrupted
     */
    default <T> T tryEach(CredentialType type, String target, Attempt<T> attempt) throws CredentialException {
        List<Credential> candidates = candidates(type, target);
        String forTarget = target == null ? "any target" : target;
        if (candidates.isEmpty()) {
            throw new CredentialException("no active " + type.id() + " credential for " + forTarget);
        }
        List<String> failures = new ArrayList<>();
        List<Exception> causes = new ArrayList<>();
        for (Credential credential : candidates) {
            try {
                T result = attempt.run(credential);
                worked(credential, target);
                return result;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CredentialException("interrupted while trying " + type.id() + " credential '"
                        + credential.name() + "' for " + forTarget, e);
            } catch (Exception e) {
                String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                failures.add("'" + credential.name() + "': " + message);
                causes.add(e);
            }
        }
        CredentialException all = new CredentialException("no " + type.id() + " credential worked for "
                + forTarget + " (" + String.join("; ", failures) + ")");
        causes.forEach(all::addSuppressed);
        throw all;
    }

    /**
     * One try with one credential.
     *
     * @param <T> what a successful attempt gives
     */
    @FunctionalInterface
    interface Attempt<T> {

        /**
         * Tries the work with a credential.
         *
         * @param credential the credential to try
         * @return the result
         * @throws Exception when the credential does not work (its message, which must not
         *     contain a secret, is reported)
         */
        T run(Credential credential) throws Exception;
    }
}
