package io.midway.instance.shell.internal;

import java.util.ArrayList;
import java.util.List;

/** A table of text for the shell: a header and rows, columns as wide as their widest cell. */
final class TextTable {

    private final List<String[]> rows = new ArrayList<>();

    /** @param header the column names */
    TextTable(String... header) {
        rows.add(header);
    }

    /**
     * @param cells one row ({@code null} shows as {@code -})
     * @return this table
     */
    TextTable row(Object... cells) {
        String[] row = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            String text = cells[i] == null ? "" : String.valueOf(cells[i]);
            row[i] = text.isEmpty() ? "-" : text.replaceAll("[\\p{Cntrl}]", "?");
        }
        rows.add(row);
        return this;
    }

    /** @return the number of rows below the header */
    int size() {
        return rows.size() - 1;
    }

    @Override
    public String toString() {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length && i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString().stripTrailing();
    }

    /**
     * @param text a cell's text
     * @param max the most characters shown
     * @return the text, cut with {@code …} when longer
     */
    static String cut(String text, int max) {
        if (text == null) {
            return null;
        }
        String oneLine = text.replaceAll("\\s+", " ");
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max - 1) + "…";
    }
}
