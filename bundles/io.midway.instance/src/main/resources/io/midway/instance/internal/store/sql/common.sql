-- The SQL every engine shares, by key (see io.midway.instance.internal.store.sql.Statements);
-- an engine's own file (h2.sql, …) replaces a section of the same name. Rows are read by
-- column name, so a statement may list its columns in any order.
--
-- A section is one statement; ${name} stands for another section (e.g. a column list).

-- [schema.version.create]
CREATE TABLE IF NOT EXISTS midway_schema (version INT NOT NULL)

-- [schema.version.read]
SELECT MAX(version) FROM midway_schema

-- [schema.version.insert]
INSERT INTO midway_schema (version) VALUES (?)

-- [schema.version.update]
UPDATE midway_schema SET version = ?
