package dev.vmaddr.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.api.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Prints API answers as a table (for people) or JSON (for scripts: exactly one JSON value on stdout). */
public enum Output {
    table, json;

    public void print(PrintWriter out, JsonNode value, List<String> columns) {
        if (this == json) {
            try {
                out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else if (value.isArray()) {
            printTable(out, value, columns);
        } else {
            printRecord(out, value);
        }
        out.flush();
    }

    private static void printTable(PrintWriter out, JsonNode rows, List<String> columns) {
        List<String[]> cells = new ArrayList<>();
        cells.add(columns.stream().map(c -> c.toUpperCase(java.util.Locale.ROOT)).toArray(String[]::new));
        for (JsonNode row : rows) {
            String[] r = new String[columns.size()];
            for (int i = 0; i < columns.size(); i++) {
                r[i] = text(row.isObject() ? row.path(columns.get(i)) : row);
            }
            cells.add(r);
        }
        int[] width = new int[columns.size()];
        for (String[] r : cells) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : cells) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                sb.append(i == r.length - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    private static void printRecord(PrintWriter out, JsonNode obj) {
        if (!obj.isObject()) {
            out.println(text(obj));
            return;
        }
        int w = 0;
        for (var it = obj.fieldNames(); it.hasNext(); ) {
            w = Math.max(w, it.next().length());
        }
        for (var it = obj.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            out.println(String.format("%-" + (w + 1) + "s %s", e.getKey() + ":", text(e.getValue())));
        }
    }

    private static String text(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "-";
        }
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            v.forEach(x -> parts.add(text(x)));
            return parts.isEmpty() ? "-" : String.join(",", parts);
        }
        if (v.isObject()) {
            return v.toString();
        }
        return v.asText();
    }
}
