package io.midway.instance.internal;

import io.midway.instance.api.AgentNames;
import io.midway.instance.api.InstanceException;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import io.midway.instance.api.InstanceEvent;
import io.midway.instance.api.SyncState;

/**
 * The event an agent's {@link SyncState} makes, checked: {@code file_sync.applied} or
 * {@code file_sync.failed}, with a detail listing each file, e.g.
 * {@code revision 7: io.midway.testing.echo 2.0.0 update ok; com.acme.x 1.0.0 install failed: <message>}.
 *
 * @param agentName the agent
 * @param revision the revision it applied
 * @param state {@code applied} or {@code failed}
 * @param name the event name
 * @param detail the event detail
 */
record SyncReportEvent(String agentName, String revision, String state, String name, String detail) {

    /** The most files the detail lists one by one. */
    static final int MAX_FILES_LISTED = 100;
    /** The longest message of one file kept in the detail. */
    static final int MAX_MESSAGE_CHARS = 500;

    private static final Pattern REVISION = Pattern.compile("[0-9]{1,19}");
    private static final Set<String> STATES = Set.of(SyncState.STATE_APPLIED, SyncState.STATE_FAILED);
    private static final Set<String> ACTIONS = Set.of(SyncState.Result.ACTION_INSTALL,
            SyncState.Result.ACTION_UPDATE, SyncState.Result.ACTION_UNINSTALL, SyncState.Result.ACTION_SKIP);
    private static final Set<String> OUTCOMES = Set.of(SyncState.Result.OUTCOME_OK,
            SyncState.Result.OUTCOME_FAILED, SyncState.Result.OUTCOME_SKIPPED);

    /**
     * @param report what an agent posted
     * @return the event it makes
     * @throws InstanceException (400) naming the field that is missing or wrong
     */
    static SyncReportEvent of(SyncState report) {
        if (report == null) {
            throw InstanceException.invalid("the request body must be a JSON object");
        }
        String agent = report.name() == null ? null : report.name().trim();
        AgentNames.check(agent);
        String revision = report.revision() == null ? "" : report.revision().trim();
        if (!REVISION.matcher(revision).matches()) {
            throw InstanceException.invalid("field 'revision' must be a revision number",
                    "got " + (report.revision() == null ? "nothing" : "'" + report.revision() + "'"));
        }
        if (report.state() == null || !STATES.contains(report.state())) {
            throw InstanceException.invalid("field 'state' must be one of: applied, failed",
                    "got " + (report.state() == null ? "nothing" : "'" + report.state() + "'"));
        }
        List<SyncState.Result> files = report.files() == null ? List.of() : report.files();
        StringBuilder detail = new StringBuilder("revision ").append(revision).append(':');
        for (int i = 0; i < files.size(); i++) {
            SyncState.Result file = check(files.get(i), i);
            if (i == MAX_FILES_LISTED) {
                detail.append(" ... and ").append(files.size() - i).append(" more");
                continue;
            }
            if (i > MAX_FILES_LISTED) {
                continue;
            }
            detail.append(i == 0 ? " " : "; ").append(file.symbolicName());
            if (file.version() != null && !file.version().isBlank()) {
                detail.append(' ').append(file.version().trim());
            }
            detail.append(' ').append(file.action()).append(' ').append(file.outcome());
            if (file.message() != null && !file.message().isBlank()) {
                detail.append(": ").append(abbreviate(file.message().strip()));
            }
        }
        if (files.isEmpty()) {
            detail.append(" nothing to change");
        }
        String event = SyncState.STATE_APPLIED.equals(report.state()) ? InstanceEvent.FILE_SYNC_APPLIED
                : InstanceEvent.FILE_SYNC_FAILED;
        return new SyncReportEvent(agent, revision, report.state(), event, detail.toString());
    }

    private static SyncState.Result check(SyncState.Result file, int i) {
        String where = "files[" + i + "]";
        if (file == null) {
            throw InstanceException.invalid(where + " must be an object");
        }
        if (file.symbolicName() == null || file.symbolicName().isBlank()) {
            throw InstanceException.invalid(where + ".symbolic_name is required");
        }
        if (file.action() == null || !ACTIONS.contains(file.action())) {
            throw InstanceException.invalid(where + ".action must be one of: install, update, uninstall, skip",
                    "got " + (file.action() == null ? "nothing" : "'" + file.action() + "'"));
        }
        if (file.outcome() == null || !OUTCOMES.contains(file.outcome())) {
            throw InstanceException.invalid(where + ".outcome must be one of: ok, failed, skipped",
                    "got " + (file.outcome() == null ? "nothing" : "'" + file.outcome() + "'"));
        }
        return file;
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s*[\\r\\n]+\\s*", " ");
        return oneLine.length() <= MAX_MESSAGE_CHARS ? oneLine : oneLine.substring(0, MAX_MESSAGE_CHARS - 3) + "...";
    }
}
