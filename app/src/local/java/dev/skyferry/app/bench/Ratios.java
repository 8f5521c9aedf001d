package dev.skyferry.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Skyferry's throughput divided by each peer's, per section and direction, from one run's results. */
final class Ratios {

    private Ratios() {}

    static ObjectNode of(ArrayNode results) {
        ObjectNode ratios = new ObjectMapper().createObjectNode();
        for (JsonNode skyferry : results) {
            if (!skyferry.get("tool").asText().equals("skyferry")) {
                continue;
            }
            String section = skyferry.get("section").asText();
            String direction = skyferry.get("direction").asText();
            ObjectNode row = ratios.putObject(section + " " + direction);
            for (JsonNode peer : results) {
                if (peer.get("section").asText().equals(section) && peer.get("direction").asText().equals(direction)
                        && !peer.get("tool").asText().equals("skyferry")) {
                    String tool = peer.get("tool").asText();
                    row.put("throughputVs" + capitalized(tool), throughput(skyferry, peer));
                    row.put("cpuPerObjectVs" + capitalized(tool), ratio(skyferry, peer, "cpuSecondsPer1000"));
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

    private static String capitalized(String tool) {
        return Character.toUpperCase(tool.charAt(0)) + tool.substring(1);
    }
}
