package io.midway.instance.store.sql;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Map;

import org.junit.Test;

public class StatementsTest {

    @Test
    public void sectionsAreReadByNameWithCommentsLeftOut() {
        Map<String, String> s = Statements.sections("-- header\n-- [a.b]\n-- what a.b does\nSELECT 1\n  FROM x\n\n-- [c]\nDELETE FROM y\n");
        assertEquals(Map.of("a.b", "SELECT 1\nFROM x", "c", "DELETE FROM y"), s);
        try {
            Statements.sections("-- [a]\nSELECT 1\n-- [a]\nSELECT 2\n");
            fail("a section twice in one file");
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("[a]"));
        }
    }

    @Test
    public void theH2EngineHasEveryMigrationInOrderAndItsStatements() {
        Statements h2 = Statements.load(io.midway.instance.store.h2.H2Engine.class, "h2");
        assertEquals("h2", h2.dialect());
        assertTrue("the schema of today is version 10 or later", h2.schemaVersion() >= 10);
        for (int v = 1; v <= h2.schemaVersion(); v++) {
            assertTrue("migration " + v + " has statements", !h2.migration(v).isEmpty());
            for (String sql : h2.migration(v)) {
                assertTrue(sql, !sql.endsWith(";") && !sql.contains("--"));
            }
        }
        assertTrue(h2.migration(1).get(0).startsWith("CREATE TABLE IF NOT EXISTS ecc_queue ("));
        assertEquals("UPDATE midway_schema SET version = ?", h2.get("schema.version.update"));
        try {
            h2.get("no.such.statement");
            fail("an unknown key");
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("no.such.statement") && e.getMessage().contains("h2"));
        }
    }
}
