package io.midway.agent.internal.config;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.junit.Test;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

import io.midway.api.agent.SettingDTO;

public class AgentMetaTypeProviderTest {

    /** The shape bnd generates for AgentConfiguration. */
    private static final String XML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<metatype:MetaData xmlns:metatype=\"http://www.osgi.org/xmlns/metatype/v1.2.0\">\n"
            + "  <OCD id=\"io.midway.agent.internal.AgentConfiguration\" name=\"Midway agent\" description=\"Connection.\">\n"
            + "    <AD id=\"instance.url\" type=\"String\" name=\"Instance URL\" description=\"Base URL.\" default=\"http://localhost:8080\"/>\n"
            + "    <AD id=\"agent.password\" type=\"Password\" name=\"Agent password\" description=\"The password.\" default=\"\"/>\n"
            + "    <AD id=\"threads.standard\" type=\"Integer\" name=\"Standard threads\" description=\"Threads.\" min=\"1\" default=\"25\"/>\n"
            + "    <AD id=\"poll.wait.ms\" type=\"Long\" name=\"Poll wait (ms)\" description=\"Wait.\" default=\"30000\"/>\n"
            + "  </OCD>\n</metatype:MetaData>\n";

    private static SettingDTO setting(String key, String value, String source, String origin, boolean secret) {
        SettingDTO s = new SettingDTO();
        s.key = key;
        s.value = value;
        s.source = source;
        s.origin = origin;
        s.secret = secret;
        return s;
    }

    private static AttributeDefinition attribute(ObjectClassDefinition ocd, String id) {
        for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
            if (ad.getID().equals(id)) {
                return ad;
            }
        }
        throw new AssertionError("no attribute " + id);
    }

    @Test
    public void fieldsTheEnvironmentOverridesAreMarkedWithTheValueInEffect() throws Exception {
        AgentMetaTypeProvider.Definitions d = AgentMetaTypeProvider.Definitions.read(
                new ByteArrayInputStream(XML.getBytes(StandardCharsets.UTF_8)));
        ObjectClassDefinition ocd = d.withSettings(new SettingDTO[] {
            setting("instance.url", "http://10.1.2.3:9090", SettingDTO.SOURCE_ENVIRONMENT, "MIDWAY_INSTANCE_URL", false),
            setting("agent.password", "set", SettingDTO.SOURCE_ENVIRONMENT, "MIDWAY_AGENT_PASSWORD", true),
            setting("threads.standard", "25", SettingDTO.SOURCE_FILE, "etc/io.midway.agent.cfg", false),
        });
        assertEquals("io.midway.agent", ocd.getID());
        assertTrue(ocd.getDescription(), ocd.getDescription().contains("editing them here has no effect"));

        AttributeDefinition url = attribute(ocd, "instance.url");
        assertEquals("Instance URL (set by MIDWAY_INSTANCE_URL)", url.getName());
        assertTrue(url.getDescription(), url.getDescription().startsWith("In effect: 'http://10.1.2.3:9090' from "
                + "MIDWAY_INSTANCE_URL; editing this field has no effect while it is set. Base URL."));
        assertEquals(AttributeDefinition.STRING, url.getType());
        assertEquals("http://localhost:8080", url.getDefaultValue()[0]);

        AttributeDefinition password = attribute(ocd, "agent.password");
        assertEquals(AttributeDefinition.PASSWORD, password.getType());
        assertTrue(password.getDescription(), password.getDescription().startsWith("In effect: set from MIDWAY_AGENT_PASSWORD"));

        AttributeDefinition threads = attribute(ocd, "threads.standard");
        assertEquals("Standard threads", threads.getName());
        assertEquals(AttributeDefinition.INTEGER, threads.getType());
        assertTrue(threads.getDescription(), threads.getDescription().endsWith("Threads. In effect: '25' (file etc/io.midway.agent.cfg)."));

        AttributeDefinition poll = attribute(ocd, "poll.wait.ms");
        assertEquals(AttributeDefinition.LONG, poll.getType());
        assertEquals("Wait.", poll.getDescription());
    }

    @Test
    public void withoutARunningAgentThePageSaysTheValuesAreUnknown() throws Exception {
        ObjectClassDefinition ocd = AgentMetaTypeProvider.Definitions.read(
                new ByteArrayInputStream(XML.getBytes(StandardCharsets.UTF_8))).withSettings(new SettingDTO[0]);
        assertTrue(ocd.getDescription(), ocd.getDescription().contains("not running"));
        assertFalse(attribute(ocd, "instance.url").getName().contains("set by"));
    }
}
