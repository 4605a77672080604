package io.midway.agent.internal.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeProvider;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

import io.midway.agent.internal.AgentConfiguration;
import io.midway.api.agent.MidAgent;
import io.midway.api.agent.SettingDTO;

/**
 * The MetaType of pid {@value AgentConfiguration#PID}, which the Web Console's Configuration page
 * shows: the definitions bnd generated from {@link AgentConfiguration}, with each field that the
 * environment overrides marked in its name and its description saying the value in effect and that
 * editing the field has no effect. Every other field's description ends with the value in effect
 * and its source. Secrets show only whether they are set.
 *
 * <p>A MetaType provider service (rather than {@code @Designate}) because the text depends on how
 * this agent was started; the definitions are read from the bundle's own generated XML, so the
 * annotation stays their single source.
 */
@Component(service = MetaTypeProvider.class, property = MetaTypeProvider.METATYPE_PID + "=" + AgentConfiguration.PID)
public class AgentMetaTypeProvider implements MetaTypeProvider {

    /** Where bnd writes the definitions of {@link AgentConfiguration}. */
    static final String DEFINITIONS = "OSGI-INF/metatype/" + AgentConfiguration.class.getName() + ".xml";

    private final Definitions definitions;
    private volatile MidAgent agent;

    /**
     * @param context the agent bundle's context, to read the generated definitions
     * @throws IOException when the definitions cannot be read
     */
    @Activate
    public AgentMetaTypeProvider(BundleContext context) throws IOException {
        URL xml = context.getBundle().getEntry(DEFINITIONS);
        if (xml == null) {
            throw new IOException("the bundle has no " + DEFINITIONS);
        }
        try (InputStream in = xml.openStream()) {
            this.definitions = Definitions.read(in);
        }
    }

    /** @param service the running agent, whose settings in effect the page shows */
    @Reference(name = "agent", policy = ReferencePolicy.DYNAMIC, cardinality = ReferenceCardinality.OPTIONAL,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unsetAgent")
    void setAgent(MidAgent service) {
        agent = service;
    }

    void unsetAgent(MidAgent service) {
        if (agent == service) {
            agent = null;
        }
    }

    @Override
    public ObjectClassDefinition getObjectClassDefinition(String id, String locale) {
        if (!AgentConfiguration.PID.equals(id)) {
            return null;
        }
        MidAgent running = agent;
        SettingDTO[] settings = running == null ? new SettingDTO[0] : running.configuration();
        return definitions.withSettings(settings);
    }

    @Override
    public String[] getLocales() {
        return null;
    }

    /** The generated definitions, and the dynamic names and descriptions laid over them. */
    static final class Definitions {
        private final String name;
        private final String description;
        private final List<Attribute> attributes;

        private Definitions(String name, String description, List<Attribute> attributes) {
            this.name = name;
            this.description = description;
            this.attributes = attributes;
        }

        /**
         * @param xml a MetaType document with one OCD, as bnd writes it
         * @return its definitions
         * @throws IOException when it does not parse
         */
        static Definitions read(InputStream xml) throws IOException {
            Document doc;
            try {
                DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
                factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                doc = factory.newDocumentBuilder().parse(xml);
            } catch (ParserConfigurationException | SAXException e) {
                throw new IOException("cannot read the MetaType definitions: " + e.getMessage(), e);
            }
            Element ocd = (Element) doc.getElementsByTagName("OCD").item(0);
            List<Attribute> attributes = new ArrayList<>();
            NodeList ads = ocd.getElementsByTagName("AD");
            for (int i = 0; i < ads.getLength(); i++) {
                Element ad = (Element) ads.item(i);
                attributes.add(new Attribute(ad.getAttribute("id"), ad.getAttribute("name"), ad.getAttribute("description"),
                        type(ad.getAttribute("type")), ad.hasAttribute("default") ? ad.getAttribute("default") : null));
            }
            return new Definitions(ocd.getAttribute("name"), ocd.getAttribute("description"), attributes);
        }

        private static int type(String type) {
            return switch (type) {
                case "Long" -> AttributeDefinition.LONG;
                case "Integer" -> AttributeDefinition.INTEGER;
                case "Boolean" -> AttributeDefinition.BOOLEAN;
                case "Password" -> AttributeDefinition.PASSWORD;
                default -> AttributeDefinition.STRING;
            };
        }

        /**
         * @param settings the settings in effect (empty when the agent is not running)
         * @return the definition to show
         */
        ObjectClassDefinition withSettings(SettingDTO[] settings) {
            Map<String, SettingDTO> byKey = java.util.Arrays.stream(settings)
                    .collect(Collectors.toMap(s -> s.key, Function.identity(), (a, b) -> a));
            List<AttributeDefinition> shown = new ArrayList<>();
            boolean overridden = false;
            for (Attribute a : attributes) {
                SettingDTO s = byKey.get(a.id);
                boolean fromEnvironment = s != null && (SettingDTO.SOURCE_ENVIRONMENT.equals(s.source)
                        || SettingDTO.SOURCE_FRAMEWORK.equals(s.source));
                overridden |= fromEnvironment;
                shown.add(a.shown(s, fromEnvironment));
            }
            String note = settings.length == 0 ? " The agent is not running: the values in effect are not known."
                    : overridden ? " Fields marked 'set by MIDWAY_…' are overridden by the environment: editing them here "
                            + "has no effect while the variable is set (see the Midway page, Configuration in effect)."
                            : "";
            return new Ocd(name, description + note, shown);
        }
    }

    /** One attribute as generated. */
    record Attribute(String id, String name, String description, int type, String defaultValue) {

        AttributeDefinition shown(SettingDTO s, boolean fromEnvironment) {
            if (s == null) {
                return new Ad(this, name, description);
            }
            String value = s.secret ? s.value : "'" + s.value + "'";
            if (fromEnvironment) {
                String by = s.origin == null ? "the environment" : s.origin;
                return new Ad(this, name + " (set by " + by + ")", "In effect: " + value + " from " + by
                        + "; editing this field has no effect while it is set. " + description);
            }
            String source = s.source + (s.origin == null ? "" : " " + s.origin);
            return new Ad(this, name, description + " In effect: " + value + " (" + source + ").");
        }
    }

    /** An attribute definition with the shown name and description. */
    private record Ad(Attribute attribute, String name, String description) implements AttributeDefinition {

        @Override
        public String getName() {
            return name;
        }

        @Override
        public String getID() {
            return attribute.id();
        }

        @Override
        public String getDescription() {
            return description;
        }

        @Override
        public int getCardinality() {
            return 0;
        }

        @Override
        public int getType() {
            return attribute.type();
        }

        @Override
        public String[] getOptionValues() {
            return null;
        }

        @Override
        public String[] getOptionLabels() {
            return null;
        }

        @Override
        public String validate(String value) {
            return null;
        }

        @Override
        public String[] getDefaultValue() {
            return attribute.defaultValue() == null ? null : new String[] {attribute.defaultValue()};
        }
    }

    /** The object class definition shown. */
    private record Ocd(String name, String description, List<AttributeDefinition> attributes)
            implements ObjectClassDefinition {

        @Override
        public String getName() {
            return name;
        }

        @Override
        public String getID() {
            return AgentConfiguration.PID;
        }

        @Override
        public String getDescription() {
            return description;
        }

        @Override
        public AttributeDefinition[] getAttributeDefinitions(int filter) {
            return filter == OPTIONAL ? new AttributeDefinition[0] : attributes.toArray(AttributeDefinition[]::new);
        }

        @Override
        public java.io.InputStream getIcon(int size) {
            return null;
        }
    }
}
