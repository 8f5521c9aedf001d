package dev.skyferry.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Skyferry's throughput divided by each peer's, per section and direction, from one run's results. A
 * repeated section gives one ratio per round (Skyferry against the peer of the same round) and their
 * median: rounds share the machine's state of the moment, so pairing them cancels some of its drift.
 */
final class Ratios {

    private Ratios() {}

    static ObjectNode of(ArrayNode results) {
        ObjectNode ratios = new ObjectMapper().createObjectNode();
        for (JsonNode skyferry : results) {
            if (!skyferry.get("tool").asText().equals("skyferry") || skyferry.get("repeat").asInt() != 1) {
                continue;
            }
            String section = skyferry.get("section").asText();
            String direction = skyferry.get("direction").asText();
            ObjectNode row = ratios.putObject(section + " " + direction);
            for (JsonNode peer : results) {
                if (peer.get("section").asText().equals(section) && peer.get("direction").asText().equals(direction)
                        && !peer.get("tool").asText().equals("skyferry") && peer.get("repeat").asInt() == 1) {
                    String tool = peer.get("tool").asText();
                    List<Double> throughput = new ArrayList<>();
                    List<Double> cpu = new ArrayList<>();
                    for (int repeat = 1; repeat <= skyferry.get("repeats").asInt(); repeat++) {
                        JsonNode ours = ResultTable.find(results, section, direction, "skyferry", repeat);
                        JsonNode theirs = ResultTable.find(results, section, direction, tool, repeat);
                        throughput.add(throughput(ours, theirs));
                        cpu.add(ratio(ours, theirs, "cpuSecondsPer1000"));
                    }
                    row.put("throughputVs" + capitalized(tool), median(throughput));
                    row.put("cpuPerObjectVs" + capitalized(tool), median(cpu));
                    if (throughput.size() > 1) {
                        throughput.forEach(row.putArray("throughputVs" + capitalized(tool) + "ByRound")::add);
                    }
                }
            }
        }
        return ratios;
    }

    /**
     * Skyferry's throughput over the peer's. Both moved the same objects, so it is the peer's time over
     * Skyferry's; the rounded objects/s of a single 2 GiB object (0.05) would be too coarse.
     */
    static double throughput(JsonNode skyferry, JsonNode peer) {
        return Math.round(peer.get("seconds").asDouble() / skyferry.get("seconds").asDouble() * 100) / 100.0;
    }

    static double ratio(JsonNode a, JsonNode b, String field) {
        return Math.round(a.get(field).asDouble() / b.get(field).asDouble() * 100) / 100.0;
    }

    /** The middle value; with an even count, the mean of the two middle ones. */
    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        double median = sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
        return Math.round(median * 100) / 100.0;
    }

    private static String capitalized(String tool) {
        return Character.toUpperCase(tool.charAt(0)) + tool.substring(1);
    }
}
