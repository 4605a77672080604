package io.midway.agent.internal.results;

import io.midway.agent.internal.AgentRuntimeTest;
import io.midway.agent.internal.AgentState;
import io.midway.agent.internal.Await;
import io.midway.agent.internal.FakeInstance;
import io.midway.agent.internal.transport.InstanceClient;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.midway.wire.InputRecord;

public class ResultSenderTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private FakeInstance instance;
    private ResultSpool spool;
    private AgentState state;
    private ResultSender sender;

    @Before
    public void setUp() throws Exception {
        instance = FakeInstance.start();
        spool = new ResultSpool(tmp.getRoot().toPath().resolve("spool"));
        state = new AgentState();
    }

    @After
    public void tearDown() throws Exception {
        if (sender != null) {
            sender.stop(Duration.ZERO);
        }
        instance.close();
    }

    private void startSender(int batchSize) {
        InstanceClient client = new InstanceClient(instance.url(), "mid", "secret", Duration.ofSeconds(2), null);
        sender = new ResultSender(spool, client, state, batchSize, AgentRuntimeTest.FAST);
        sender.start();
    }

    private static InputRecord result(String responseTo) {
        return new InputRecord(responseTo, "Echo", "n", "s", FakeInstance.object(), "processed", null);
    }

    @Test
    public void postsInBatchesOfTheConfiguredSizeOldestFirst() throws Exception {
        for (int i = 0; i < 250; i++) {
            spool.write(result(String.format("r%03d", i)));
        }
        startSender(100);
        Await.until("all 250 delivered", () -> instance.inputs.size() == 250);
        Await.until("the spool is empty", () -> spool.count() == 0);
        assertEquals(List.of(100, 100, 50), instance.batchSizes);
    }

    @Test
    public void aRefusedBatchIsSentOneByOneAndOnlyTheBadResultIsSetAside() throws Exception {
        spool.write(result("good1"));
        spool.write(result("bad"));
        spool.write(result("good2"));
        instance.badResponseTo.add("bad");
        startSender(10);
        Await.until("both good results delivered", () -> instance.inputs.keySet().equals(
                java.util.Set.of("good1", "good2")));
        Await.until("the spool is empty", () -> spool.count() == 0);

        Path rejected = spool.directory().resolve(ResultSpool.REJECTED);
        List<Path> files;
        try (var stream = Files.list(rejected)) {
            files = stream.sorted().toList();
        }
        assertEquals(2, files.size());
        Path json = files.stream().filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        assertEquals("bad", spool.read(json).responseTo());
        String reason = Files.readString(rejected.resolve(json.getFileName() + ".reason.txt"));
        assertTrue(reason, reason.contains("answered 400: Unknown output record 'bad'"));
        assertTrue(state.lastError(), state.lastError().contains("moved to rejected/"));
        assertEquals(List.of(1, 1), instance.batchSizes);
    }

    @Test
    public void anUnreadableFileIsSetAsideAndTheRestIsSent() throws Exception {
        spool.write(result("fine"));
        Files.writeString(spool.directory().resolve("0000000000000-000000-broken.json"), "{not json");
        startSender(10);
        Await.until("the good result delivered", () -> instance.inputs.containsKey("fine"));
        Await.until("the spool is empty", () -> spool.count() == 0);
        assertTrue(Files.exists(spool.directory().resolve(ResultSpool.REJECTED)
                .resolve("0000000000000-000000-broken.json")));
    }

    @Test
    public void wrongCredentialsKeepTheResultsSpooled() throws Exception {
        instance.password = "different";
        spool.write(result("kept"));
        startSender(10);
        Await.until("the refusal is recorded", () -> state.lastError() != null);
        assertTrue(state.lastError(), state.lastError().contains("answered 401"));
        assertEquals(1, spool.count());
        instance.password = "secret";
        sender.wake();
        Await.until("delivered once the password is right", () -> instance.inputs.containsKey("kept"));
        Await.until("the spool is empty", () -> spool.count() == 0);
    }

    @Test
    public void groupFilesAreSentTogetherAndABadResultInOneIsSetAsideAlone() throws Exception {
        spool.write(List.of(result("a1"), result("a2"), result("a3")));
        spool.write(List.of(result("b1"), result("bad"), result("b3")));
        spool.write(result("c1"));
        instance.badResponseTo.add("bad");
        startSender(100);
        Await.until("every good result delivered", () -> instance.inputs.keySet().equals(
                java.util.Set.of("a1", "a2", "a3", "b1", "b3", "c1")));
        Await.until("the spool is empty", () -> spool.count() == 0);
        Path rejected = spool.directory().resolve(ResultSpool.REJECTED);
        List<Path> aside;
        try (var stream = Files.list(rejected)) {
            aside = stream.filter(p -> p.toString().endsWith(".json")).toList();
        }
        assertEquals(1, aside.size());
        assertEquals("bad", spool.read(aside.get(0)).responseTo());
        assertTrue(Files.readString(rejected.resolve(aside.get(0).getFileName() + ".reason.txt"))
                .contains("Unknown output record 'bad'"));
        assertEquals("one by one after the refused batch of 7", List.of(1, 1, 1, 1, 1, 1), instance.batchSizes);
    }

    @Test
    public void aBatchTakesWholeGroupFilesUpToTheBatchSize() throws Exception {
        for (int g = 0; g < 4; g++) {
            List<InputRecord> group = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                group.add(result("g" + g + "-" + i));
            }
            spool.write(group);
        }
        startSender(100);
        Await.until("all 160 delivered", () -> instance.inputs.size() == 160);
        Await.until("the spool is empty", () -> spool.count() == 0);
        assertEquals(List.of(80, 80), instance.batchSizes);
    }
}
