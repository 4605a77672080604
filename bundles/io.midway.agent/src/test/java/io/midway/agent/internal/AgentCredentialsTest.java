package io.midway.agent.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;

import io.midway.agent.internal.upgrade.UpgradeCoordinator;
import io.midway.api.credential.store.AffinityEntry;
import io.midway.api.credential.store.CredentialStore;
import io.midway.wire.CredentialRecord;
import io.midway.wire.CredentialSync;

/** The agent keeps its credential store at the instance's credential revision. */
public class AgentCredentialsTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private FakeInstance instance;
    private AgentRuntime agent;
    private final RecordingStore store = new RecordingStore();

    /** A store that remembers what it was given, with affinity kept as the real store keeps it. */
    static final class RecordingStore implements CredentialStore {
        final List<CredentialSync> updates = new CopyOnWriteArrayList<>();
        volatile String revision = "";
        /** type → target → sys_id. */
        private final Map<String, Map<String, String>> affinity = new TreeMap<>();
        private long affinityVersion = 41;

        /** As {@code Credentials.worked}: a change only when another credential (or none) worked there. */
        synchronized void worked(String type, String target, String credential) {
            String before = affinity.computeIfAbsent(type, t -> new TreeMap<>()).put(target, credential);
            if (!credential.equals(before)) {
                affinityVersion++;
            }
        }

        @Override
        public synchronized long affinityVersion() {
            return affinityVersion;
        }

        @Override
        public synchronized List<AffinityEntry> affinity() {
            List<AffinityEntry> entries = new ArrayList<>();
            affinity.forEach((type, byTarget) -> byTarget.forEach(
                    (target, id) -> entries.add(new AffinityEntry(type, target, id))));
            return entries;
        }

        @Override
        public String publicKey() {
            return "PUBLIC-KEY-TEXT";
        }

        @Override
        public String revision() {
            return revision;
        }

        @Override
        public Taken update(String credentialsJson) throws IOException {
            CredentialSync sync = io.midway.wire.Json.mapper().readValue(credentialsJson, CredentialSync.class);
            updates.add(sync);
            revision = sync.revision();
            return new Taken(sync.revision(), sync.result().size());
        }

        @Override
        public String encrypt(String value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String decrypt(String encrypted) {
            throw new UnsupportedOperationException();
        }
    }

    @Before
    public void setUp() throws IOException {
        instance = FakeInstance.start();
        Path spool = tmp.getRoot().toPath().resolve("spool");
        AgentSettings settings = new AgentSettings(instance.url(), "test", "mid", "secret", 2, 2, 2, 200, 100, spool,
                null, spool.resolveSibling("sync"));
        agent = new AgentRuntime(settings, "9.9.9", AgentRuntimeTest.FAST, null, () -> null,
                UpgradeCoordinator.WORK_GRACE, () -> store);
    }

    @After
    public void tearDown() {
        agent.stop();
        instance.close();
    }

    @Test
    public void aNewCredentialRevisionLeadsToOneFetchAndOneUpdate() {
        CredentialSync sync = new CredentialSync("r1", List.of(new CredentialRecord("c1", "lab", "basic", 100, true,
                Map.of("user_name", "scott"), Map.of("password", "v1.sealed"), null, null)));
        instance.credentials = sync;
        instance.credentialRevision = "r1";
        agent.start();

        // the key is asked for off the poller (a store may still be making it) and registered as
        // soon as it is known
        Await.until("a registration carries the store's public key", () -> instance.registrations.stream()
                .anyMatch(r -> "PUBLIC-KEY-TEXT".equals(r.publicKey())));
        Await.until("the store has revision r1", () -> "r1".equals(store.revision()));
        Await.until("three polls that know r1",
                () -> instance.pollCredentialRevisions.stream().filter("r1"::equals).count() >= 3);

        assertEquals("the first poll tells the store's revision (none yet)", "", instance.pollCredentialRevisions.get(0));
        assertEquals("one fetch", 1, instance.credentialRequests.size());
        assertEquals("agent=test", instance.credentialRequests.get(0));
        assertEquals(List.of(sync), store.updates);
    }

    @Test
    public void aFailedFetchKeepsTheCredentialsAndIsTriedAgainAfterTheNextPoll() {
        instance.credentialRevision = "r2";
        agent.start();
        Await.until("a refused fetch", () -> !instance.credentialRequests.isEmpty());
        assertEquals("", store.revision());

        instance.credentials = new CredentialSync("r2", List.of());
        Await.until("the store has revision r2", () -> "r2".equals(store.revision()));
        assertEquals(1, store.updates.size());
    }

    // --- affinity ----------------------------------------------------------------------------

    private static String entries(JsonNode report) {
        List<String> out = new ArrayList<>();
        report.path("affinity").forEach(e -> out.add(e.path("type").asText() + " " + e.path("target").asText() + " "
                + e.path("credential").asText()));
        return String.join(", ", out);
    }

    private long pollsSoFar() {
        return instance.pollCredentialRevisions.size();
    }

    @Test
    public void theSetIsReportedAtStartAndAWorkedCredentialLeadsToOnePostWithTheSet() {
        store.worked("basic", "10.0.0.5", "c1");
        agent.start();
        Await.until("the first report", () -> instance.affinityReports.size() == 1);
        JsonNode first = instance.affinityReports.get(0);
        assertEquals("test", first.path("agent").asText());
        assertEquals("basic 10.0.0.5 c1", entries(first));
        long polls = pollsSoFar();
        Await.until("three more polls", () -> pollsSoFar() >= polls + 3);
        assertEquals("an unchanged set is not reported again", 1, instance.affinityReports.size());

        store.worked("basic", "10.0.0.6", "c2");
        Await.until("the second report", () -> instance.affinityReports.size() == 2);
        assertEquals("the whole set", "basic 10.0.0.5 c1, basic 10.0.0.6 c2", entries(instance.affinityReports.get(1)));
        long later = pollsSoFar();
        Await.until("three more polls", () -> pollsSoFar() >= later + 3);
        store.worked("basic", "10.0.0.6", "c2");
        long again = pollsSoFar();
        Await.until("three more polls", () -> pollsSoFar() >= again + 3);
        assertEquals("one POST per change; the same credential again is no change", 2,
                instance.affinityReports.size());
    }

    @Test
    public void aRefusedReportIsTriedAgainAfterTheNextPollUntilItGoesThrough() {
        instance.affinityStatus = 503;
        store.worked("ssh_key", "db1.example", "c9");
        agent.start();
        Await.until("three refused reports", () -> instance.affinityReports.size() >= 3);
        Await.until("polls go on", () -> pollsSoFar() >= 3);

        assertEquals(0, instance.affinityAccepted.size());

        instance.affinityStatus = 200;
        Await.until("a report the instance takes", () -> instance.affinityAccepted.size() == 1);
        int total = instance.affinityReports.size();
        long polls = pollsSoFar();
        Await.until("three more polls", () -> pollsSoFar() >= polls + 3);
        assertEquals("nothing more once one went through", total, instance.affinityReports.size());
        assertEquals(1, instance.affinityAccepted.size());
        assertEquals("ssh_key db1.example c9", entries(instance.affinityAccepted.get(0)));
    }

    @Test
    public void withoutAStoreNothingIsSentOrFetched() throws IOException {
        agent = new AgentRuntime(new AgentSettings(instance.url(), "plain", "mid", "secret", 2, 2, 2, 200, 100,
                tmp.getRoot().toPath().resolve("spool2"), null, tmp.getRoot().toPath().resolve("sync2")),
                "9.9.9", AgentRuntimeTest.FAST);
        instance.credentialRevision = "r3";
        agent.start();
        Await.until("two polls", () -> instance.pollCredentialRevisions.size() >= 2);
        assertNull(instance.registrations.get(0).publicKey());
        assertEquals("-", instance.pollCredentialRevisions.get(1));
        assertEquals(0, instance.credentialRequests.size());
        assertEquals(0, instance.affinityReports.size());
    }
}
