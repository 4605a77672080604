package io.midway.instance.shell.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.midway.instance.api.AgentConfigStatus;
import io.midway.instance.api.AgentSetting;
import io.midway.instance.api.AgentSettings;
import io.midway.instance.api.InstanceException;
import io.midway.instance.api.ResolvedSetting;
import io.midway.instance.api.TableQuery;
import io.midway.instance.api.TableSchema;

/**
 * Configuration from the instance in the shell: {@code instance:property-list|property-set|property-delete}
 * ({@code ecc_agent_property}, for every agent or {@code --agent NAME}),
 * {@code instance:parameter-list|parameter-set|parameter-delete} ({@code ecc_agent_config}, for one
 * agent) and {@code instance:agent-config NAME} (what the instance holds for an agent, and what the
 * agent last reported in effect). The same checks as the Table API; a refusal prints the rule.
 * Like {@link UserChangeCommand}, one {@code _main} serves the dashed names and answers the usage
 * for wrong arguments.
 */
@Component(service = AgentSettingCommand.class, property = {
    "osgi.command.scope=instance",
    "osgi.command.function=property-list",
    "osgi.command.function=property-set",
    "osgi.command.function=property-delete",
    "osgi.command.function=parameter-list",
    "osgi.command.function=parameter-set",
    "osgi.command.function=parameter-delete",
    "osgi.command.function=agent-config",
})
public class AgentSettingCommand {

    /** Each function: its arguments and what it does. */
    static final Map<String, String[]> FORMS = new LinkedHashMap<>();

    static {
        FORMS.put("property-list", new String[] {"[--agent <agent>]",
            "agent properties: all, or those that apply to an agent (its own and the global ones)"});
        FORMS.put("property-set", new String[] {"[--agent <agent>] <name> <value>",
            "set a property for every agent, or for one (checked as the Table API checks it)"});
        FORMS.put("property-delete", new String[] {"[--agent <agent>] <name>", "delete a property"});
        FORMS.put("parameter-list", new String[] {"[--agent <agent>]", "configuration parameters (one agent each)"});
        FORMS.put("parameter-set", new String[] {"--agent <agent> <name> <value>",
            "set a configuration parameter for one agent (over its properties)"});
        FORMS.put("parameter-delete", new String[] {"--agent <agent> <name>", "delete a configuration parameter"});
        FORMS.put("agent-config", new String[] {"<agent>",
            "the settings the instance holds for an agent with their source, and what it last reported in effect"});
    }

    private final AgentSettings settings;

    /** @param settings the agent properties and parameters */
    @Activate
    public AgentSettingCommand(@Reference(name = "settings") AgentSettings settings) {
        this.settings = settings;
    }

    /**
     * @param argv the command name, then its arguments
     * @return the outcome, or the usage
     */
    @Descriptor("instance:property-list|property-set|property-delete|parameter-list|parameter-set|parameter-delete"
            + " [--agent <agent>] …, instance:agent-config <agent>")
    public String _main(String[] argv) {
        String function = argv == null || argv.length == 0 ? "" : argv[0].substring(argv[0].indexOf(':') + 1);
        List<String> args = new ArrayList<>(argv == null || argv.length < 2 ? List.of()
                : Arrays.asList(argv).subList(1, argv.length));
        if (args.contains("--help") || args.contains("-h")) {
            return usage(function, argv, true);
        }
        String agent = "";
        int flag = args.indexOf("--agent");
        if (flag >= 0) {
            if (flag + 1 >= args.size()) {
                return usage(function, argv, false);
            }
            agent = args.get(flag + 1);
            args.remove(flag + 1);
            args.remove(flag);
        }
        boolean parameter = function.startsWith("parameter-");
        TableSchema table = parameter ? TableSchema.ECC_AGENT_CONFIG : TableSchema.ECC_AGENT_PROPERTY;
        try {
            switch (function) {
                case "property-list", "parameter-list" -> {
                    if (args.isEmpty()) {
                        return list(table, agent);
                    }
                }
                case "property-set", "parameter-set" -> {
                    if (args.size() == 2 && (!parameter || !agent.isEmpty())) {
                        AgentSetting stored = settings.put(table, args.get(0), agent, args.get(1));
                        return (parameter ? "Parameter " : "Property ") + stored.name() + " = " + stored.value()
                                + " for " + whom(stored.agent()) + " (configuration revision " + settings.revision()
                                + ").";
                    }
                }
                case "property-delete", "parameter-delete" -> {
                    if (args.size() == 1 && (!parameter || !agent.isEmpty())) {
                        boolean removed = settings.remove(table, args.get(0), agent);
                        return removed ? (parameter ? "Parameter " : "Property ") + args.get(0) + " for " + whom(agent)
                                + " deleted (configuration revision " + settings.revision() + ")."
                                : "instance:" + function + ": no " + table.name() + " record " + args.get(0) + " for "
                                        + whom(agent) + "; instance:" + (parameter ? "parameter" : "property")
                                        + "-list lists them";
                    }
                }
                case "agent-config" -> {
                    if (args.size() == 1 && agent.isEmpty()) {
                        return agentConfig(args.get(0));
                    }
                }
                default -> {
                    // not one of ours: the usage of all
                }
            }
        } catch (InstanceException e) {
            return "instance:" + function + ": " + e.getMessage() + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")");
        }
        return usage(function, argv, false);
    }

    private String list(TableSchema table, String agent) {
        String query = agent.isEmpty() ? null
                : table == TableSchema.ECC_AGENT_PROPERTY ? "agent=" + agent + "^ORagentISEMPTY" : "agent=" + agent;
        List<AgentSetting> rows = settings.settings(TableQuery.parse(table, query, null, "10000", "0"));
        if (rows.isEmpty()) {
            return "no " + table.name() + " records" + (agent.isEmpty() ? "" : " for " + agent);
        }
        TextTable out = new TextTable("NAME", "VALUE", "AGENT", "UPDATED");
        for (AgentSetting s : rows) {
            out.row(s.name(), TextTable.cut(s.value(), 80), s.global() ? "(every agent)" : s.agent(),
                    s.toJson().path("sys_updated_on").asText());
        }
        return out.toString();
    }

    private String agentConfig(String agent) {
        Optional<AgentConfigStatus> status = settings.status(agent);
        if (status.isEmpty()) {
            return "instance:agent-config: no agent '" + agent + "'; instance:agents lists them";
        }
        StringBuilder out = new StringBuilder();
        out.append("Agent ").append(agent).append(": configuration revision ").append(settings.revision())
                .append(" on the instance");
        AgentConfigStatus s = status.get();
        if (s.state() == null) {
            out.append("; no report from the agent yet");
        } else {
            out.append("; the agent reported revision ").append(s.revision()).append(": ").append(s.state());
        }
        out.append("\n\nHeld by the instance for it:\n");
        List<ResolvedSetting> held = settings.resolve(agent);
        out.append(held.isEmpty() ? "  nothing: the agent runs on its own settings" : table(held));
        if (!s.errors().isEmpty()) {
            out.append("\n\nRefused by the agent (it keeps its last good value):\n");
            s.errors().lines().forEach(l -> out.append("  ").append(l).append('\n'));
        }
        if (!s.effective().isEmpty()) {
            out.append("\n\nIn effect on the agent (its report):\n").append(table(s.effective()));
        }
        return out.toString().stripTrailing();
    }

    private static String table(List<ResolvedSetting> settings) {
        TextTable out = new TextTable("NAME", "VALUE", "SOURCE");
        for (ResolvedSetting s : settings) {
            out.row(s.name(), TextTable.cut(s.value(), 80), s.source());
        }
        return out.toString();
    }

    private static String whom(String agent) {
        return agent == null || agent.isEmpty() ? "every agent" : "agent " + agent;
    }

    private static String usage(String function, String[] argv, boolean help) {
        StringBuilder out = new StringBuilder();
        if (!help) {
            out.append("instance:").append(function.isEmpty() ? "property" : function).append(": wrong arguments");
            if (argv != null && argv.length > 1) {
                out.append(" '").append(String.join(" ", Arrays.copyOfRange(argv, 1, argv.length))).append('\'');
            }
            out.append('\n');
        }
        out.append("usage:\n");
        for (Map.Entry<String, String[]> form : FORMS.entrySet()) {
            if (FORMS.containsKey(function) && !form.getKey().equals(function)) {
                continue;
            }
            out.append(String.format("  %-52s %s%n", "instance:" + form.getKey() + " " + form.getValue()[0],
                    form.getValue()[1]));
        }
        return out.toString().stripTrailing();
    }
}
