package io.midway.instance.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

import io.midway.wire.AgentSettingCatalog;
import io.midway.wire.AgentSettingSpec;

/**
 * The README's table of settings ("Configuration from the instance"), written by hand, lists every
 * setting of the catalog with whether the instance may set it.
 */
public class AgentSettingsReadmeTest {

    @Test
    public void theReadmeTableListsEverySettingOfTheCatalog() throws IOException {
        Path readme = Path.of(System.getProperty("basedir", ".")).resolve("../../README.md").normalize();
        String text = Files.readString(readme);
        int start = text.indexOf("## Configuration from the instance");
        assertTrue("README has the section", start >= 0);
        int end = text.indexOf("\n## ", start + 1);
        String section = text.substring(start, end < 0 ? text.length() : end);
        List<String> missing = new ArrayList<>();
        for (AgentSettingSpec spec : AgentSettingCatalog.all()) {
            String row = section.lines().filter(l -> l.startsWith("| `" + spec.name() + "` |")).findFirst().orElse(null);
            if (row == null) {
                missing.add(spec.name() + " (no row)");
            } else if (!row.split("\\|")[5].trim().startsWith(spec.central() ? "yes" : "no")) {
                // | name | type | range | default | central | …: the central column is the fifth
                missing.add(spec.name() + " (central should say " + (spec.central() ? "yes" : "no") + ")");
            }
        }
        assertEquals("settings missing from README's table", List.of(), missing);
    }
}
