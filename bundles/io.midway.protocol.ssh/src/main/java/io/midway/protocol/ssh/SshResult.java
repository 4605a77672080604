package io.midway.protocol.ssh;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What a command gave: its exit code (or the signal that ended it) and its output as far as it was
 * kept.
 */
@ProviderType
public final class SshResult {

    private final Integer exitCode;
    private final String exitSignal;
    private final byte[] stdout;
    private final byte[] stderr;
    private final boolean stdoutTruncated;
    private final boolean stderrTruncated;

    /**
     * @param exitCode the exit code, or {@code null} when the server sent none (a signal ended the
     *     command, or it was stopped)
     * @param exitSignal the signal that ended the command, e.g. {@code TERM}, or {@code null}
     * @param stdout the stdout bytes kept (copied)
     * @param stderr the stderr bytes kept (copied)
     * @param stdoutTruncated whether stdout passed the limit (the command was then stopped)
     * @param stderrTruncated whether stderr passed the limit (the command was then stopped)
     */
    public SshResult(Integer exitCode, String exitSignal, byte[] stdout, byte[] stderr, boolean stdoutTruncated,
            boolean stderrTruncated) {
        this.exitCode = exitCode;
        this.exitSignal = exitSignal;
        this.stdout = Objects.requireNonNull(stdout, "stdout").clone();
        this.stderr = Objects.requireNonNull(stderr, "stderr").clone();
        this.stdoutTruncated = stdoutTruncated;
        this.stderrTruncated = stderrTruncated;
    }

    /** @return the exit code; empty when the server sent none (ended by a signal, or stopped) */
    public OptionalInt exitCode() {
        return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }

    /** @return the signal that ended the command, e.g. {@code TERM}, if the server reported one */
    public Optional<String> exitSignal() {
        return Optional.ofNullable(exitSignal);
    }

    /** @return a copy of the stdout bytes kept */
    public byte[] stdout() {
        return stdout.clone();
    }

    /** @return a copy of the stderr bytes kept */
    public byte[] stderr() {
        return stderr.clone();
    }

    /** @return whether stdout was longer than the limit, so that only its start is here */
    public boolean stdoutTruncated() {
        return stdoutTruncated;
    }

    /** @return whether stderr was longer than the limit, so that only its start is here */
    public boolean stderrTruncated() {
        return stderrTruncated;
    }

    @Override
    public String toString() {
        return "SshResult[exit " + (exitCode != null ? exitCode : exitSignal != null ? "signal " + exitSignal : "unknown") + ", "
                + stdout.length + " stdout byte(s)" + (stdoutTruncated ? " (truncated)" : "") + ", " + stderr.length
                + " stderr byte(s)" + (stderrTruncated ? " (truncated)" : "") + "]";
    }
}
