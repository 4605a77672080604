package io.midway.instance.internal.cluster;

import io.midway.instance.api.ClusterType;
import io.midway.instance.api.AgentCluster;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import org.junit.Test;

import io.midway.instance.api.Agent;

/** Where clusters send work, rule by rule ({@link ClusterRouter}), over agents in every status. */
public class ClusterRouterTest {

    private final ClusterRouter router = new ClusterRouter(new Random(7));

    /** An agent: {@code "Up"}, {@code "Down"}, {@code "Paused"} …, with {@code "!"} appended for not validated. */
    private static Agent agent(String name, String status) {
        boolean validated = !status.endsWith("!");
        return new Agent("id-" + name, name, status.replace("!", ""), validated, "1.0.0", null, null, null,
                List.of(), List.of(), List.of(), "", false);
    }

    /** Agents from {@code "name=status"} pairs; a member missing here is not registered. */
    private static Map<String, Agent> agents(String... pairs) {
        Map<String, Agent> agents = new LinkedHashMap<>();
        for (String pair : pairs) {
            String[] p = pair.split("=");
            agents.put(p[0], agent(p[0], p[1]));
        }
        return agents;
    }

    private static AgentCluster cluster(ClusterType type, String... members) {
        return new AgentCluster("c1", "dc", type, List.of(members), 0, 0);
    }

    /** One row: the cluster, the agents, the addressed agent, where new work goes (null: it stays). */
    private record InsertCase(String why, ClusterType type, List<String> members, Map<String, Agent> agents,
            String addressed, String expected) {
    }

    @Test
    public void failoverAtInsert() {
        List<InsertCase> cases = List.of(
                new InsertCase("member Up keeps its work", ClusterType.FAILOVER, List.of("a", "b", "c"),
                        agents("a=Up", "b=Up", "c=Up"), "a", null),
                new InsertCase("member Down: the next Up member", ClusterType.FAILOVER, List.of("a", "b", "c"),
                        agents("a=Down", "b=Up", "c=Up"), "a", "b"),
                new InsertCase("Paused, not validated and Down members are passed over", ClusterType.FAILOVER,
                        List.of("a", "b", "c", "d", "e"), agents("a=Down", "b=Paused", "c=Up!", "d=Down", "e=Up"), "a",
                        "e"),
                new InsertCase("after the last member, the first", ClusterType.FAILOVER, List.of("a", "b", "c"),
                        agents("a=Up", "b=Up", "c=Down"), "c", "a"),
                new InsertCase("the order counts, not the names", ClusterType.FAILOVER, List.of("c", "a", "b"),
                        agents("a=Up", "b=Up", "c=Down"), "c", "a"),
                new InsertCase("an unregistered member is passed over", ClusterType.FAILOVER, List.of("a", "ghost", "b"),
                        agents("a=Down", "b=Up"), "a", "b"),
                new InsertCase("Upgrading and Upgrade Failed cannot take work", ClusterType.FAILOVER,
                        List.of("a", "b", "c"), agents("a=Down", "b=Upgrading", "c=Upgrade Failed"), "a", null),
                new InsertCase("no member Up: the work waits", ClusterType.FAILOVER, List.of("a", "b"),
                        agents("a=Down", "b=Down"), "a", null),
                new InsertCase("a Paused member keeps its work (only Down fails over)", ClusterType.FAILOVER,
                        List.of("a", "b"), agents("a=Paused", "b=Up"), "a", null),
                new InsertCase("a member not registered yet keeps its work", ClusterType.FAILOVER, List.of("a", "b"),
                        agents("b=Up"), "a", null),
                new InsertCase("an agent in no cluster keeps its work", ClusterType.FAILOVER, List.of("a", "b"),
                        agents("a=Up", "b=Up", "x=Down"), "x", null),
                new InsertCase("load balance: the only Up member", ClusterType.LOAD_BALANCE, List.of("a", "b", "c"),
                        agents("a=Down", "b=Paused", "c=Up"), "a", "c"),
                new InsertCase("load balance, nobody Up: the work waits", ClusterType.LOAD_BALANCE,
                        List.of("a", "b"), agents("a=Down", "b=Up!"), "a", null));
        for (InsertCase c : cases) {
            AgentCluster cluster = cluster(c.type(), c.members().toArray(String[]::new));
            Optional<ClusterRouter.Redirect> redirect = router.atInsert(c.addressed(), "TCPScan", List.of(cluster),
                    c.agents());
            assertEquals(c.why(), Optional.ofNullable(c.expected()), redirect.map(ClusterRouter.Redirect::agent));
            if (c.expected() != null && c.type() == ClusterType.FAILOVER) {
                assertEquals(c.why(), "failover: " + c.addressed() + " is Down, cluster dc → " + c.expected(),
                        redirect.get().note());
            }
            if (c.expected() != null && c.type() == ClusterType.LOAD_BALANCE) {
                assertEquals(c.why(), "load_balance: cluster dc → " + c.expected(), redirect.get().note());
            }
        }
    }

    @Test
    public void loadBalanceSpreadsOverTheUpMembersOnly() {
        AgentCluster cluster = cluster(ClusterType.LOAD_BALANCE, "a", "b", "c", "d");
        Map<String, Agent> agents = agents("a=Up", "b=Up", "c=Paused", "d=Up");
        Set<String> used = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            used.add(router.atInsert("c", "SSHCommand", List.of(cluster), agents).orElseThrow().agent());
        }
        assertEquals("every Up member gets some, the Paused one none", Set.of("a", "b", "d"), used);
    }

    @Test
    public void hostBoundTopicsAreNeverRedirected() {
        AgentCluster failover = cluster(ClusterType.FAILOVER, "a", "b");
        AgentCluster balanced = new AgentCluster("c2", "lb", ClusterType.LOAD_BALANCE, List.of("x", "y"), 0, 0);
        Map<String, Agent> agents = agents("a=Down", "b=Up", "x=Up", "y=Up");
        for (String topic : List.of("Command", "SystemCommand", "HeartbeatProbe")) {
            assertTrue(topic, ClusterRouter.isHostBound(topic));
            assertEquals(topic, Optional.empty(), router.atInsert("a", topic, List.of(failover, balanced), agents));
            assertEquals(topic, Optional.empty(), router.atInsert("x", topic, List.of(failover, balanced), agents));
        }
        for (String topic : List.of("SSHCommand", "TCPScan", "JDBCProbe", "command")) {
            assertFalse(topic, ClusterRouter.isHostBound(topic));
            assertEquals(topic, "b", router.atInsert("a", topic, List.of(failover, balanced), agents).orElseThrow()
                    .agent());
        }
    }

    @Test
    public void takeoverOfAMemberThatWentDown() {
        Map<String, Agent> agents = agents("a=Down", "b=Paused", "c=Up", "d=Up");
        ClusterRouter.Takeover failover = router.takeover("a", List.of(cluster(ClusterType.FAILOVER, "a", "b", "c",
                "d")), agents).orElseThrow();
        assertEquals("the next Up member only", List.of("c"), failover.targets());
        assertEquals("failover: a went Down, cluster dc → c", ClusterRouter.note(failover, router.target(failover)));

        ClusterRouter.Takeover balanced = router.takeover("a", List.of(cluster(ClusterType.LOAD_BALANCE, "a", "b", "c",
                "d")), agents).orElseThrow();
        assertEquals("every Up member", List.of("c", "d"), balanced.targets());
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            picks.add(router.target(balanced));
        }
        assertEquals(Set.of("c", "d"), new HashSet<>(picks));

        ClusterRouter.Takeover none = router.takeover("a", List.of(cluster(ClusterType.FAILOVER, "a", "b")),
                agents).orElseThrow();
        assertFalse("a Paused member does not take over", none.possible());
        assertEquals("an agent in no cluster", Optional.empty(), router.takeover("z", List.of(cluster(
                ClusterType.FAILOVER, "a", "b")), agents));
    }

    @Test
    public void typesHaveTheirApiNames() {
        assertEquals(Optional.of(ClusterType.FAILOVER), ClusterType.forLabel("failover"));
        assertEquals(Optional.of(ClusterType.LOAD_BALANCE), ClusterType.forLabel("load_balance"));
        assertEquals(Optional.empty(), ClusterType.forLabel("Failover"));
        assertEquals("failover, load_balance", ClusterType.labels());
    }
}
