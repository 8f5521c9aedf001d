package dev.skyferry.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.Locale;

/**
 * The results as a Markdown table, with Skyferry's throughput ratio against each peer on its rows (against
 * Skyferry's pass of the same round, when a section was repeated).
 */
final class ResultTable {

    private ResultTable() {}

    static String markdown(ArrayNode results) {
        StringBuilder table = new StringBuilder();
        table.append("| section | direction | tool | objects | seconds | objects/s | MB/s | CPU s / 1 000 objects | of it JIT | Skyferry ÷ tool | peak RSS |\n");
        table.append("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (JsonNode row : results) {
            int repeat = row.get("repeat").asInt();
            JsonNode skyferry = find(results, row.get("section").asText(), row.get("direction").asText(), "skyferry", repeat);
            String vs = row.get("tool").asText().equals("skyferry") || skyferry == null ? ""
                    : String.format(Locale.ROOT, "%.2f×", Ratios.throughput(skyferry, row));
            String rss = row.has("peakRssBytes") ? (row.get("peakRssBytes").asLong() / (1024 * 1024)) + " MiB" : "";
            double jitPer1000 = row.get("cpuSecondsPer1000").asDouble() - row.get("cpuSecondsPer1000WithoutJit").asDouble();
            table.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %.2f | %.1f | %.1f | %.2f | %.2f | %s | %s |%n",
                    sectionLabel(row), row.get("direction").asText(), row.get("tool").asText(),
                    row.get("objects").asLong(), row.get("seconds").asDouble(), row.get("objectsPerSecond").asDouble(),
                    row.get("mbPerSecond").asDouble(), row.get("cpuSecondsPer1000").asDouble(), jitPer1000, vs, rss));
        }
        return table.toString();
    }

    private static String sectionLabel(JsonNode row) {
        int repeats = row.get("repeats").asInt();
        return repeats == 1 ? row.get("section").asText()
                : row.get("section").asText() + ", round " + row.get("repeat").asInt() + " of " + repeats;
    }

    static JsonNode find(ArrayNode results, String section, String direction, String tool, int repeat) {
        for (JsonNode row : results) {
            if (row.get("section").asText().equals(section) && row.get("direction").asText().equals(direction)
                    && row.get("tool").asText().equals(tool) && row.get("repeat").asInt() == repeat) {
                return row;
            }
        }
        return null;
    }
}
