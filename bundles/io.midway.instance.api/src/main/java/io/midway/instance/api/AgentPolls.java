package io.midway.instance.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Agents' polls and results: a poll leases what is ready for an agent, at once or as a long poll;
 * an input batch stores an agent's results and ends the outputs they answer.
 */
@ProviderType
public interface AgentPolls {

    /**
     * Leases what is ready for an agent, now, without waiting.
     *
     * @param agentName the agent
     * @param max the most records to lease
     * @return the reply
     * @throws InstanceException 404 for an unknown agent, 400 for a bad {@code max}
     */
    PollResult poll(String agentName, int max);

    /**
     * Leases what is ready for an agent; if nothing is, waits up to
     * {@code min(waitMs, poll_max_wait_ms)} and completes as soon as work is written for it, or
     * (with no records) as soon as the file-sync revision changes.
     *
     * @param agentName the agent
     * @param max the most records to lease
     * @param waitMs how long the agent is willing to wait
     * @return the reply, completed at once or later; 503 ({@link InstanceException}) when stopping
     * @throws InstanceException 404 for an unknown agent, 400 for bad parameters
     */
    CompletableFuture<PollResult> longPoll(String agentName, int max, long waitMs);

    /**
     * Like {@link #longPoll(String, int, long)}, and answers at once, even with no records, when the
     * agent says it has applied another file-sync revision than the current one: a change made
     * while none of its polls was waiting reaches it without waiting for work or a timeout.
     *
     * @param agentName the agent
     * @param max the most records to lease
     * @param waitMs how long the agent is willing to wait
     * @param knownRevision the file-sync revision the agent has applied, or {@code null} if it did not say
     * @return the reply, completed at once or later
     */
    CompletableFuture<PollResult> longPoll(String agentName, int max, long waitMs, String knownRevision);

    /**
     * Like {@link #longPoll(String, int, long, String)}, and also answers at once when the agent
     * says it knows another instance version than the current one. A waiting poll completes as
     * soon as the instance version or the agent's pinned version changes.
     *
     * @param agentName the agent
     * @param max the most records to lease
     * @param waitMs how long the agent is willing to wait
     * @param knownRevision the file-sync revision the agent has applied, or {@code null} if it did not say
     * @param knownInstanceVersion the instance version the agent last saw, or {@code null} if it did not say
     * @return the reply, completed at once or later
     */
    CompletableFuture<PollResult> longPoll(String agentName, int max, long waitMs, String knownRevision, String knownInstanceVersion);

    /**
     * Like {@link #longPoll(String, int, long, String, String)}, and also answers at once when the
     * agent says it holds another credential revision than the current one. A waiting poll
     * completes as soon as the credentials change.
     *
     * @param agentName the agent
     * @param max the most records to lease
     * @param waitMs how long the agent is willing to wait
     * @param knownRevision the file-sync revision the agent has applied, or {@code null} if it did not say
     * @param knownInstanceVersion the instance version the agent last saw, or {@code null} if it did not say
     * @param knownCredentialRevision the credential revision the agent holds, or {@code null} if it did not say
     * @return the reply, completed at once or later
     */
    CompletableFuture<PollResult> longPoll(String agentName, int max, long waitMs, String knownRevision, String knownInstanceVersion, String knownCredentialRevision);

    /**
     * Like {@link #longPoll(String, int, long, String, String, String)}, and also answers at once
     * when the agent says it holds another configuration revision than the current one. A waiting
     * poll completes as soon as the agent properties or parameters change.
     *
     * @param agentName the agent
     * @param max the most records to lease
     * @param waitMs how long the agent is willing to wait
     * @param knownRevision the file-sync revision the agent has applied, or {@code null} if it did not say
     * @param knownInstanceVersion the instance version the agent last saw, or {@code null} if it did not say
     * @param knownCredentialRevision the credential revision the agent holds, or {@code null} if it did not say
     * @param knownConfigRevision the configuration revision the agent holds, or {@code null} if it did not say
     * @return the reply, completed at once or later
     */
    CompletableFuture<PollResult> longPoll(String agentName, int max, long waitMs, String knownRevision,
            String knownInstanceVersion, String knownCredentialRevision, String knownConfigRevision);

    /**
     * Answers the waiting long polls of an agent with nothing, leasing nothing: the agent is
     * stopping, and work written from now on waits for its next poll instead of going to a
     * connection that nobody will read.
     *
     * @param agentName the agent
     * @return how many polls were waiting
     */
    int releasePolls(String agentName);

    /**
     * @param agentName an agent
     * @return how many long polls of it are waiting
     */
    int waitingPolls(String agentName);

    /**
     * Stores the results an agent posts. Each record is checked on its own: one that names no
     * output record, has no {@code response_to}, a wrong {@code state} or a field longer than its
     * column is refused (status {@code refused} with the reason) and the others are stored. When
     * every record is refused the batch is a 400 (nothing to store). The first input for an output
     * is stored and ends the output; repeats are reported as duplicates.
     *
     * @param batch the results
     * @return one outcome per record, in order
     */
    List<InputResult> input(AgentResults batch);

    /**
     * @param outputSysIds sys_ids of output records
     * @return the {@code agent} field of each that exists, by sys_id
     */
    Map<String, String> agentsOf(java.util.Collection<String> outputSysIds);

    /** @return the longest a long poll waits ({@code poll_max_wait_ms}) */
    Duration longestWait();
}
