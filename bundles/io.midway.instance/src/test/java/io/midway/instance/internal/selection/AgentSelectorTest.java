package io.midway.instance.internal.selection;

import io.midway.instance.api.SelectionAlgorithm;
import io.midway.instance.api.Selection;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.Test;

import io.midway.instance.api.Selection.Rule;
import io.midway.instance.api.Agent;

/**
 * Table-driven tests of both selection algorithms: every rule and every step of the status
 * fallback order. Each case asserts the chosen agent, the rule that decided, and that the
 * explanation names the deciding rule.
 */
public class AgentSelectorTest {

    /** Builds a candidate: Up, validated, no applications/ranges/capabilities unless told. */
    private static final class FakeAgent {
        private final String name;
        private String status = Agent.STATUS_UP;
        private boolean validated = true;
        private List<String> applications = List.of();
        private List<String> ranges = List.of();
        private List<String> capabilities = List.of();
        private boolean isDefault;

        private FakeAgent(String name) {
            this.name = name;
        }

        FakeAgent apps(String... values) {
            applications = List.of(values);
            return this;
        }

        FakeAgent ranges(String... values) {
            ranges = List.of(values);
            return this;
        }

        FakeAgent caps(String... values) {
            capabilities = List.of(values);
            return this;
        }

        FakeAgent status(String value) {
            status = value;
            return this;
        }

        FakeAgent notValidated() {
            validated = false;
            return this;
        }

        FakeAgent asDefault() {
            isDefault = true;
            return this;
        }

        SelectionCandidate build() {
            return new SelectionCandidate(name, status, validated, applications, IpRanges.parse(ranges), capabilities,
                    isDefault);
        }
    }

    private static FakeAgent agent(String name) {
        return new FakeAgent(name);
    }

    /**
     * One selection case.
     *
     * @param name what it shows
     * @param algorithm legacy or new
     * @param application the application asked
     * @param ip the target IP, "" for none
     * @param capability the capability asked, "" for none
     * @param agents the known agents
     * @param chosen the expected agent, null for none
     * @param rule the rule expected to decide
     * @param mentions text the explanation must hold (the deciding rule, what was skipped or ignored)
     */
    private record Case(String name, String algorithm, String application, String ip, String capability,
            List<FakeAgent> agents, String chosen, Rule rule, List<String> mentions) {
    }

    private static final String PAUSED = Agent.STATUS_PAUSED;
    private static final String UPGRADING = Agent.STATUS_UPGRADING;
    private static final String UPGRADE_FAILED = Agent.STATUS_UPGRADE_FAILED;
    private static final String DOWN = Agent.STATUS_DOWN;

    private static final List<Case> CASES = List.of(
            // ---- legacy: application and IP
            new Case("legacy: application and CIDR match", "legacy", "Discovery", "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16"),
                            agent("dc-2").apps("Discovery").ranges("192.168.0.0/16"),
                            agent("om-1").apps("Orchestration").ranges("10.0.0.0/8")),
                    "dc-1", Rule.SUITABLE_UP,
                    List.of("agents for application 'Discovery' or ALL: dc-1 (Up), dc-2 (Up)",
                            "agents for application 'Discovery' or ALL whose ip_ranges hold 10.1.2.3: dc-1 (10.1.0.0/16)",
                            "fallback 1, a suitable agent Up and validated: dc-1",
                            "legacy: application Discovery, ip 10.1.2.3 in 10.1.0.0/16 of dc-1; Up")),
            new Case("legacy: ALL serves any application", "legacy", "Service Mapping", "10.1.2.3", "",
                    List.of(agent("any-1").apps("ALL").ranges("10.0.0.0/8"),
                            agent("dc-1").apps("Discovery").ranges("10.1.0.0/16")),
                    "any-1", Rule.SUITABLE_UP,
                    List.of("agents for application 'Service Mapping' or ALL: any-1 (Up)",
                            "whose ip_ranges hold 10.1.2.3: any-1 (10.0.0.0/8)")),
            new Case("legacy: application matched case-insensitively", "legacy", "discovery", "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16")),
                    "dc-1", Rule.SUITABLE_UP, List.of("dc-1 (10.1.0.0/16)")),
            new Case("legacy: IP in an a-b range", "legacy", "Discovery", "10.0.0.42", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.0.0.1-10.0.0.40"),
                            agent("dc-2").apps("Discovery").ranges("10.0.0.41-10.0.0.50")),
                    "dc-2", Rule.SUITABLE_UP, List.of("whose ip_ranges hold 10.0.0.42: dc-2 (10.0.0.41-10.0.0.50)")),
            new Case("legacy: IP is a listed single host", "legacy", "Discovery", "192.168.1.7", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("192.168.1.7"),
                            agent("dc-2").apps("Discovery").ranges("172.16.0.0/12")),
                    "dc-1", Rule.SUITABLE_UP, List.of("dc-1 (192.168.1.7)")),
            new Case("legacy: narrowest range wins", "legacy", "Discovery", "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.0.0.0/8"),
                            agent("dc-2").apps("ALL").ranges("10.1.0.0/16"),
                            agent("dc-3").apps("Discovery").ranges("10.1.2.0-10.1.2.255", "192.168.0.0/16")),
                    "dc-3", Rule.SUITABLE_UP,
                    List.of("the narrowest ip range wins (256 addresses): dc-3 (10.1.2.0-10.1.2.255)",
                            "in 10.1.2.0-10.1.2.255 of dc-3")),
            new Case("legacy: application but no range holds the IP, default chosen", "legacy", "Discovery",
                    "10.9.9.9", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16"),
                            agent("main").apps("Orchestration").asDefault()),
                    "main", Rule.DEFAULT_UP,
                    List.of("whose ip_ranges hold 10.9.9.9: none", "fallback 1, a suitable agent Up and validated: none to consider",
                            "fallback 2, the default agent if Up and validated: main",
                            "legacy: default agent main, no suitable agent available for application Discovery, ip 10.9.9.9; Up")),
            new Case("legacy: no agent for the application, default chosen", "legacy", "Event Management",
                    "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.0.0.0/8"), agent("main").asDefault()),
                    "main", Rule.DEFAULT_UP,
                    List.of("no agent serves application 'Event Management' or ALL", "default agent: main (Up)")),
            new Case("legacy: no agent for the application, no default: fail", "legacy", "Event Management",
                    "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.0.0.0/8")),
                    null, Rule.NONE,
                    List.of("no agent serves application 'Event Management' or ALL", "no default agent",
                            "legacy: no agent may take this job: no agent serves application 'Event Management' or ALL; "
                                    + "no default agent; no random fallback because dc-1 have ip_ranges")),
            new Case("legacy: ranges exist but none holds the IP, no default: fail", "legacy", "Discovery", "10.9.9.9",
                    "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16"), agent("dc-2").apps("Discovery")),
                    null, Rule.NONE,
                    List.of("no random fallback: some agents have ip_ranges (dc-1)",
                            "no agent for application 'Discovery' or ALL has an ip_range holding 10.9.9.9",
                            "no random fallback because dc-1 have ip_ranges")),
            new Case("legacy: no agent has ranges, no default: random application agent", "legacy", "Discovery",
                    "10.9.9.9", "",
                    List.of(agent("dc-1").apps("Discovery"), agent("om-1").apps("Orchestration")),
                    "dc-1", Rule.RANDOM_UP,
                    List.of("no agent has ip_ranges: a random agent for application 'Discovery' or ALL may be chosen last",
                            "fallback 5, a random agent for the application, Up and validated: dc-1",
                            "legacy: random agent dc-1 for application Discovery, no agent has ip_ranges")),
            new Case("legacy: no agent has ranges, default comes before random", "legacy", "Discovery", "10.9.9.9", "",
                    List.of(agent("dc-1").apps("Discovery"), agent("main").apps("Orchestration").asDefault()),
                    "main", Rule.DEFAULT_UP, List.of("fallback 2, the default agent if Up and validated: main")),
            new Case("legacy: no agent has ranges, none for the application: fail", "legacy", "Discovery", "10.9.9.9",
                    "",
                    List.of(agent("om-1").apps("Orchestration")),
                    null, Rule.NONE,
                    List.of("may be chosen last, but there is none",
                            "no agent serves application 'Discovery' or ALL; no default agent")),
            new Case("legacy: capability is ignored", "legacy", "Discovery", "10.1.2.3", "SNMP",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16").caps("SSH")),
                    "dc-1", Rule.SUITABLE_UP,
                    List.of("capability 'SNMP' is ignored by the legacy algorithm",
                            "legacy: application Discovery, ip 10.1.2.3 in 10.1.0.0/16 of dc-1; Up")),
            new Case("legacy: default taken whatever its capabilities", "legacy", "Discovery", "10.9.9.9", "SNMP",
                    List.of(agent("main").caps("SSH").asDefault()),
                    "main", Rule.DEFAULT_UP, List.of("capability 'SNMP' is ignored", "default agent: main (Up)")),
            new Case("legacy: no target IP, every application agent is suitable", "legacy", "Discovery", "", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16"), agent("om-1").apps("Orchestration"),
                            agent("main").asDefault()),
                    "dc-1", Rule.SUITABLE_UP,
                    List.of("no target IP: the IP rules are skipped, every agent for application 'Discovery' or ALL is suitable",
                            "legacy: application Discovery, no target IP: dc-1; Up")),
            new Case("legacy: no target IP and an agent without ranges", "legacy", "Discovery", "", "",
                    List.of(agent("dc-1").apps("Discovery")), "dc-1", Rule.SUITABLE_UP, List.of("no target IP")),
            // ---- legacy: status fallback order
            new Case("status: Up beats a narrower Paused", "legacy", "Discovery", "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.2.0/24").status(PAUSED),
                            agent("dc-2").apps("Discovery").ranges("10.0.0.0/8")),
                    "dc-2", Rule.SUITABLE_UP,
                    List.of("fallback 1, a suitable agent Up and validated: dc-2 (passed over: dc-1 (Paused))")),
            new Case("status: suitable Down, default Up", "legacy", "Discovery", "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16").status(DOWN), agent("main").asDefault()),
                    "main", Rule.DEFAULT_UP,
                    List.of("fallback 1, a suitable agent Up and validated: none (dc-1 (Down))",
                            "fallback 2, the default agent if Up and validated: main")),
            new Case("status: default Up beats suitable Paused", "legacy", "Discovery", "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16").status(PAUSED),
                            agent("main").asDefault()),
                    "main", Rule.DEFAULT_UP, List.of("fallback 2, the default agent if Up and validated: main")),
            new Case("status: suitable Paused beats default Paused", "legacy", "Discovery", "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16").status(PAUSED),
                            agent("main").asDefault().status(PAUSED)),
                    "dc-1", Rule.SUITABLE_PAUSED_OR_UPGRADING,
                    List.of("fallback 2, the default agent if Up and validated: none (main (Paused))",
                            "fallback 3, a suitable agent Paused/Upgrading and validated: dc-1",
                            "in 10.1.0.0/16 of dc-1; Paused")),
            new Case("status: suitable Upgrading, no default", "legacy", "Discovery", "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16").status(UPGRADING)),
                    "dc-1", Rule.SUITABLE_PAUSED_OR_UPGRADING,
                    List.of("fallback 3, a suitable agent Paused/Upgrading and validated: dc-1", "; Upgrading")),
            new Case("status: Upgrade Failed ranks with Paused/Upgrading", "legacy", "Discovery", "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16").status(UPGRADE_FAILED)),
                    "dc-1", Rule.SUITABLE_PAUSED_OR_UPGRADING, List.of("fallback 3", "; Upgrade Failed")),
            new Case("status: suitable Down, default Paused", "legacy", "Discovery", "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16").status(DOWN),
                            agent("main").asDefault().status(PAUSED)),
                    "main", Rule.DEFAULT_PAUSED_OR_UPGRADING,
                    List.of("fallback 3, a suitable agent Paused/Upgrading and validated: none (dc-1 (Down))",
                            "fallback 4, the default agent Paused/Upgrading and validated: main",
                            "legacy: default agent main, no suitable agent available for application Discovery, ip 10.1.2.3; Paused")),
            new Case("status: Down and not validated are never chosen", "legacy", "Discovery", "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16").notValidated(),
                            agent("dc-2").apps("Discovery").ranges("10.1.2.0/24").status(DOWN),
                            agent("main").asDefault().status(DOWN)),
                    null, Rule.NONE,
                    List.of("fallback 1, a suitable agent Up and validated: none (dc-1 (Up, not validated), dc-2 (Down))",
                            "suitable agents dc-1 (Up, not validated), dc-2 (Down) cannot take work",
                            "default agent main (Down) cannot take work", "no agent chosen")),
            new Case("status: a not-validated default is never chosen", "legacy", "Discovery", "10.1.2.3", "",
                    List.of(agent("main").asDefault().notValidated()),
                    null, Rule.NONE, List.of("default agent main (Up, not validated) cannot take work")),
            new Case("status: unknown status is never chosen", "legacy", "Discovery", "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16").status("Starting")),
                    null, Rule.NONE, List.of("dc-1 (Starting) cannot take work")),
            new Case("status: random fallback prefers Up", "legacy", "Discovery", "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery").status(PAUSED), agent("dc-2").apps("Discovery"),
                            agent("main").asDefault().status(DOWN)),
                    "dc-2", Rule.RANDOM_UP,
                    List.of("fallback 4, the default agent Paused/Upgrading and validated: none (main (Down))",
                            "fallback 5, a random agent for the application, Up and validated: dc-2")),
            new Case("status: random fallback among Paused", "legacy", "Discovery", "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery").status(PAUSED), agent("dc-2").apps("Discovery").status(DOWN)),
                    "dc-1", Rule.RANDOM_PAUSED_OR_UPGRADING,
                    List.of("fallback 6, a random agent for the application, Paused/Upgrading and validated: dc-1")),
            new Case("status: default Paused comes before a random Up agent", "legacy", "Discovery", "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery"), agent("main").asDefault().status(PAUSED)),
                    "main", Rule.DEFAULT_PAUSED_OR_UPGRADING, List.of("fallback 4, the default agent Paused/Upgrading")),
            new Case("status: random fallback, all Down: fail", "legacy", "Discovery", "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery").status(DOWN)),
                    null, Rule.NONE, List.of("agents for the application dc-1 (Down) cannot take work")),
            // ---- ties
            new Case("tie: seed 1 picks the first of three", "legacy", "Discovery", "10.1.2.3", "",
                    List.of(agent("dc-c").apps("Discovery").ranges("10.1.0.0/16"),
                            agent("dc-a").apps("Discovery").ranges("10.1.0.0/16"),
                            agent("dc-b").apps("Discovery").ranges("10.1.0.0/16")),
                    "dc-a", Rule.SUITABLE_UP,
                    List.of("tie between dc-a, dc-b, dc-c: chosen at random: dc-a", "; random of 3 equally good")),
            new Case("tie after narrowing", "new", "Discovery", "10.1.2.3", "",
                    List.of(agent("dc-a").apps("Discovery").ranges("10.0.0.0/8"),
                            agent("dc-b").apps("Discovery").ranges("10.1.0.0/16"),
                            agent("dc-c").apps("Discovery").ranges("10.1.0.0-10.1.255.255"),
                            agent("dc-d").apps("Discovery").ranges("10.1.0.0/16")),
                    "dc-b", Rule.SUITABLE_UP,
                    List.of("the narrowest ip range wins (65536 addresses): dc-b (10.1.0.0/16), dc-c (10.1.0.0-10.1.255.255), dc-d (10.1.0.0/16)",
                            "tie between dc-b, dc-c, dc-d (same narrowest range size): chosen at random: dc-b")),
            // ---- new: application, IP and capability
            new Case("new: application, IP and capability", "new", "Discovery", "10.1.2.3", "ssh",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16").caps("SSH", "SNMP"),
                            agent("dc-2").apps("Discovery").ranges("10.1.2.0/24").caps("PowerShell")),
                    "dc-1", Rule.SUITABLE_UP,
                    List.of("agents for application 'Discovery' or ALL that advertise capability 'ssh' (or ALL): dc-1",
                            "agents for application 'Discovery' or ALL with capability 'ssh' whose ip_ranges hold 10.1.2.3: dc-1 (10.1.0.0/16)",
                            "new: application Discovery, capability ssh, ip 10.1.2.3 in 10.1.0.0/16 of dc-1; Up")),
            new Case("new: capability ALL advertises everything", "new", "Discovery", "10.1.2.3", "JDBC",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16").caps("ALL")),
                    "dc-1", Rule.SUITABLE_UP, List.of("advertise capability 'JDBC' (or ALL): dc-1")),
            new Case("new: no agent has the capability, default has it", "new", "Discovery", "10.1.2.3", "SNMP",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16").caps("SSH"),
                            agent("main").caps("snmp").asDefault()),
                    "main", Rule.DEFAULT_UP,
                    List.of("none of them advertises capability 'SNMP' (or ALL)",
                            "default agent: main (Up), advertises capability 'SNMP'",
                            "new: default agent main, no suitable agent available for application Discovery, capability SNMP, ip 10.1.2.3; Up")),
            new Case("new: default without the capability: fail", "new", "Discovery", "10.1.2.3", "SNMP",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16").caps("SSH"),
                            agent("main").caps("SSH").asDefault()),
                    null, Rule.NONE,
                    List.of("default agent main (Up) does not advertise capability 'SNMP': not usable",
                            "new: no agent may take this job: no agent for application 'Discovery' or ALL advertises capability 'SNMP'; "
                                    + "default agent main does not advertise capability 'SNMP'; the new algorithm has no random fallback")),
            new Case("new: no agent for the application, default chosen", "new", "Service Mapping", "10.1.2.3", "SSH",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.0.0.0/8").caps("SSH"),
                            agent("main").apps("Discovery").caps("SSH").asDefault()),
                    "main", Rule.DEFAULT_UP, List.of("no agent serves application 'Service Mapping' or ALL",
                            "fallback 2, the default agent if Up and validated: main")),
            new Case("new: no range holds the IP, default chosen", "new", "Discovery", "192.168.5.5", "SSH",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.0.0.0/8").caps("SSH"),
                            agent("main").caps("SSH").asDefault()),
                    "main", Rule.DEFAULT_UP, List.of("whose ip_ranges hold 192.168.5.5: none")),
            new Case("new: no agent has ranges: no random fallback", "new", "Discovery", "10.1.2.3", "SSH",
                    List.of(agent("dc-1").apps("Discovery").caps("SSH")),
                    null, Rule.NONE,
                    List.of("no agent for application 'Discovery' or ALL with capability 'SSH' has an ip_range holding 10.1.2.3",
                            "the new algorithm has no random fallback")),
            new Case("new: no capability asked", "new", "Discovery", "10.1.2.3", "",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16")),
                    "dc-1", Rule.SUITABLE_UP, List.of("no capability asked: the capability rule is skipped",
                            "new: application Discovery, ip 10.1.2.3 in 10.1.0.0/16 of dc-1; Up")),
            new Case("new: no target IP", "new", "Discovery", "", "SSH",
                    List.of(agent("dc-1").apps("Discovery").caps("PowerShell"), agent("dc-2").apps("ALL").caps("SSH")),
                    "dc-2", Rule.SUITABLE_UP,
                    List.of("no target IP: the IP rules are skipped, every agent for application 'Discovery' or ALL with capability 'SSH' is suitable",
                            "new: application Discovery, capability SSH, no target IP: dc-2; Up")),
            new Case("new: narrowest range wins", "new", "Discovery", "10.1.2.3", "SSH",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.0.0.0/8").caps("SSH"),
                            agent("dc-2").apps("Discovery").ranges("10.1.2.3").caps("SSH")),
                    "dc-2", Rule.SUITABLE_UP, List.of("the narrowest ip range wins (1 address): dc-2 (10.1.2.3)")),
            new Case("new: suitable Paused, default Up", "new", "Discovery", "10.1.2.3", "SSH",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16").caps("SSH").status(PAUSED),
                            agent("main").caps("SSH").asDefault()),
                    "main", Rule.DEFAULT_UP, List.of("fallback 1, a suitable agent Up and validated: none (dc-1 (Paused))",
                            "fallback 2, the default agent if Up and validated: main")),
            new Case("new: suitable Upgrading when the default is Down", "new", "Discovery", "10.1.2.3", "SSH",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16").caps("SSH").status(UPGRADING),
                            agent("main").caps("SSH").asDefault().status(DOWN)),
                    "dc-1", Rule.SUITABLE_PAUSED_OR_UPGRADING,
                    List.of("fallback 3, a suitable agent Paused/Upgrading and validated: dc-1")),
            new Case("new: suitable not validated, default Paused", "new", "Discovery", "10.1.2.3", "SSH",
                    List.of(agent("dc-1").apps("Discovery").ranges("10.1.0.0/16").caps("SSH").notValidated(),
                            agent("main").caps("SSH").asDefault().status(PAUSED)),
                    "main", Rule.DEFAULT_PAUSED_OR_UPGRADING,
                    List.of("fallback 3, a suitable agent Paused/Upgrading and validated: none (dc-1 (Up, not validated))",
                            "fallback 4, the default agent Paused/Upgrading and validated: main")),
            new Case("new: no agents at all", "new", "Discovery", "10.1.2.3", "SSH", List.of(), null, Rule.NONE,
                    List.of("no agent serves application 'Discovery' or ALL; no default agent")));

    @Test
    public void everyRuleAndFallback() {
        Set<Rule> decided = new HashSet<>();
        for (Case c : CASES) {
            List<SelectionCandidate> candidates = c.agents().stream().map(FakeAgent::build).toList();
            Selection selection = new AgentSelector(new Random(1)).select(
                    SelectionRequest.of(c.application(), c.ip(), c.capability(), c.algorithm()), candidates);
            String explanation = selection.explanation();
            assertEquals(c.name() + ": agent\n" + explanation, c.chosen(), selection.agent());
            assertEquals(c.name() + ": rule\n" + explanation, c.rule(), selection.decidedBy());
            assertEquals(c.name() + ": algorithm", SelectionAlgorithm.parse(c.algorithm()), selection.algorithm());
            for (String mention : c.mentions()) {
                assertTrue(c.name() + ": explanation lacks [" + mention + "]\n" + explanation,
                        explanation.contains(mention));
            }
            assertFalse(c.name() + ": the reason is one line", selection.reason().contains("\n"));
            for (String step : selection.steps()) {
                assertTrue(c.name() + ": numbered step " + step, step.matches("step \\d+: .+"));
            }
            if (c.chosen() != null) {
                assertTrue(c.name() + ": the reason names the agent", selection.reason().contains(c.chosen()));
                assertTrue(c.name() + ": the last step names the choice",
                        selection.steps().get(selection.steps().size() - 1).contains("chosen: " + c.chosen()));
            }
            decided.add(selection.decidedBy());
        }
        assertEquals("every rule of the fallback order is covered", Set.of(Rule.values()), decided);
    }

    @Test
    public void tiesFollowTheSeededGenerator() {
        List<SelectionCandidate> three = List.of(
                agent("dc-a").apps("Discovery").ranges("10.0.0.0/8").build(),
                agent("dc-b").apps("Discovery").ranges("10.0.0.0/8").build(),
                agent("dc-c").apps("Discovery").ranges("10.0.0.0/8").build());
        SelectionRequest request = SelectionRequest.of("Discovery", "10.1.2.3", "", "legacy");
        // java.util.Random(seed).nextInt(3): seed 1 → 0, seed 2 → 1, seed 3 → 2.
        List<String> expected = List.of("dc-a", "dc-b", "dc-c");
        for (int seed = 1; seed <= 3; seed++) {
            Selection selection = new AgentSelector(new Random(seed)).select(request, three);
            assertEquals("seed " + seed, expected.get(seed - 1), selection.agent());
            assertTrue("seed " + seed + ": " + selection.explanation(),
                    selection.explanation().contains("tie between dc-a, dc-b, dc-c: chosen at random: " + selection.agent()));
        }
        // The same seed, whatever order the candidates come in, gives the same agent.
        List<SelectionCandidate> reversed = new ArrayList<>(three);
        java.util.Collections.reverse(reversed);
        assertEquals("order-independent", "dc-b", new AgentSelector(new Random(2)).select(request, reversed).agent());
        // Over many draws every tied agent is chosen: the tie is really random.
        AgentSelector shared = new AgentSelector(new Random(42));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            seen.add(shared.select(request, three).agent());
        }
        assertEquals(Set.of("dc-a", "dc-b", "dc-c"), seen);
    }

    /** A bad request and its message. */
    private record BadRequest(String name, String application, String ip, String algorithm, String message) {
    }

    @Test
    public void badRequestsAreClearErrors() {
        List<BadRequest> bad = List.of(
                new BadRequest("unknown algorithm", "Discovery", "10.0.0.1", "fastest",
                        "algorithm 'fastest' is not supported; use 'legacy' or 'new'"),
                new BadRequest("empty algorithm", "Discovery", "10.0.0.1", "",
                        "algorithm '' is not supported; use 'legacy' or 'new'"),
                new BadRequest("no algorithm", "Discovery", "10.0.0.1", null,
                        "algorithm '' is not supported; use 'legacy' or 'new'"),
                new BadRequest("no application", " ", "10.0.0.1", "new", "application is required (e.g. 'Discovery')"),
                new BadRequest("ip not an address", "Discovery", "db.example.com", "legacy",
                        "ip 'db.example.com' is not an IPv4 address (a.b.c.d) or an IPv6 address"),
                new BadRequest("ip out of range", "Discovery", "10.0.0.256", "legacy",
                        "ip '10.0.0.256' is not an IPv4 address (a.b.c.d) or an IPv6 address"));
        for (BadRequest c : bad) {
            IllegalArgumentException e = assertThrows(c.name(), IllegalArgumentException.class,
                    () -> SelectionRequest.of(c.application(), c.ip(), "", c.algorithm()));
            assertEquals(c.name(), c.message(), e.getMessage());
        }
        assertEquals("algorithm names are case-insensitive", SelectionAlgorithm.NEW,
                SelectionRequest.of("Discovery", null, null, " NEW ").algorithm());
    }

    @Test
    public void candidatesFromAgentRecords() {
        Agent dc1 = new Agent("1", "dc-1", Agent.STATUS_UP, true, "1.0", "h1", "10.0.0.5", "",
                List.of("SSH"), List.of("Discovery"), List.of("10.1.0.0/16"), "", false);
        Agent main = new Agent("2", "main", Agent.STATUS_UP, true, "1.0", "h2", "10.0.0.6", "",
                null, null, null, "", true);
        Selection selection = new AgentSelector(new Random(1)).selectAmong(
                SelectionRequest.of("Discovery", "10.1.2.3", "ssh", "new"), List.of(main, dc1));
        assertEquals("dc-1", selection.agent());
        assertEquals("new: application Discovery, capability ssh, ip 10.1.2.3 in 10.1.0.0/16 of dc-1; Up",
                selection.reason());

        Agent broken = new Agent("3", "dc-9", Agent.STATUS_UP, true, "1.0", "h3", "10.0.0.7", "",
                List.of(), List.of("ALL"), List.of("10.0.0.0/8", "10.0.0.300/8"), "", false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SelectionCandidate.from(broken));
        assertEquals("agent 'dc-9': ip_ranges[1] '10.0.0.300/8' is not a CIDR block (a.b.c.d/n) or a range "
                + "(a.b.c.d-e.f.g.h)", e.getMessage());
    }

    @Test
    public void aCapabilitySetByHandCountsForTheNewAlgorithm() {
        // advertises only http; ssh was set by hand: capabilities() is the union, which selection reads
        Agent dc1 = new Agent("1", "dc-1", Agent.STATUS_UP, true, "1.0", "h1", "10.0.0.5", "",
                List.of("http", "ssh"), List.of("Discovery"), List.of("10.1.0.0/16"), "", false, null, null, null,
                null, List.of("ssh"), List.of("http"));
        Agent dc2 = new Agent("2", "dc-2", Agent.STATUS_UP, true, "1.0", "h2", "10.0.0.6", "",
                List.of("http"), List.of("Discovery"), List.of("10.0.0.0/8"), "", false, null, null, null,
                null, List.of(), List.of("http"));
        assertTrue(SelectionCandidate.from(dc1).advertises("SSH"));
        Selection selection = new AgentSelector(new Random(1)).selectAmong(
                SelectionRequest.of("Discovery", "10.1.2.3", "ssh", "new"), List.of(dc2, dc1));
        assertEquals(selection.reason(), "dc-1", selection.agent());
        Selection http = new AgentSelector(new Random(1)).selectAmong(
                SelectionRequest.of("Discovery", "10.2.0.1", "ssh", "new"), List.of(dc2, dc1));
        assertNull("dc-2 has no ssh, dc-1's range does not hold the IP: " + http.reason(), http.agent());
    }

    @Test
    public void noSelectionHasNoAgent() {
        Selection selection = new AgentSelector(new Random(1)).select(
                SelectionRequest.of("Discovery", "10.1.2.3", "", "legacy"), List.of());
        assertNull(selection.agent());
        assertFalse(selection.isChosen());
        assertTrue(selection.chosenAgent().isEmpty());
        assertEquals(Rule.NONE, selection.decidedBy());
    }
}
