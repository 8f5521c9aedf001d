package dev.skyferry.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A hand-written SVG bar chart: one panel per section (objects/s for small objects, MB/s for the large
 * object), a group of bars per direction, one bar per tool, each labelled with its value (the median of
 * the rounds, when a section was repeated).
 */
final class ThroughputChart {

    private static final Map<String, String> COLOURS = Map.of("skyferry", "#2b6cb0", "rclone", "#dd6b20", "raw", "#718096");
    private static final List<String> TOOLS = List.of("skyferry", "rclone", "raw");
    private static final int PANEL_WIDTH = 420;
    private static final int PANEL_HEIGHT = 260;
    private static final int BAR = 36;
    private static final int PLOT_TOP = 50;
    private static final int PLOT_HEIGHT = 170;

    private ThroughputChart() {}

    static String svg(ArrayNode results) {
        List<String[]> panels = new ArrayList<>();
        if (has(results, "small")) {
            panels.add(new String[] {"small", "objectsPerSecond", "Small objects: objects/s"});
        }
        if (has(results, "large")) {
            panels.add(new String[] {"large", "mbPerSecond", "Large object: MB/s"});
        }
        int width = PANEL_WIDTH * Math.max(1, panels.size());
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", width, PANEL_HEIGHT + 30));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, PANEL_HEIGHT + 30));
        for (int p = 0; p < panels.size(); p++) {
            panel(svg, results, p * PANEL_WIDTH, panels.get(p)[0], panels.get(p)[1], panels.get(p)[2]);
        }
        int x = 20;
        for (String tool : TOOLS) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", x, PANEL_HEIGHT + 10, COLOURS.get(tool), x + 16, PANEL_HEIGHT + 20, tool));
            x += 100;
        }
        return svg.append("</svg>\n").toString();
    }

    private static void panel(StringBuilder svg, ArrayNode results, int left, String section, String field, String title) {
        double max = 0;
        for (Direction direction : Direction.values()) {
            for (String tool : TOOLS) {
                double value = medianOf(results, section, direction.label, tool, field);
                if (!Double.isNaN(value)) {
                    max = Math.max(max, value);
                }
            }
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                left + 20, title));
        int baseline = PLOT_TOP + PLOT_HEIGHT;
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                left + 20, baseline, left + PANEL_WIDTH - 20, baseline));
        int groupX = left + 40;
        for (Direction direction : Direction.values()) {
            int x = groupX;
            for (String tool : TOOLS) {
                double value = medianOf(results, section, direction.label, tool, field);
                if (!Double.isNaN(value)) {
                    int height = max == 0 ? 0 : (int) Math.round(value / max * PLOT_HEIGHT);
                    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>%n",
                            x, baseline - height, BAR, height, COLOURS.get(tool)));
                    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%.1f</text>%n",
                            x + BAR / 2, baseline - height - 4, value));
                }
                x += BAR + 6;
            }
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    groupX + (3 * (BAR + 6)) / 2 - 3, baseline + 18, direction.label));
            groupX += 3 * (BAR + 6) + 40;
        }
    }

    /** The field's median over the tool's rounds; NaN when the tool has no row there. */
    private static double medianOf(ArrayNode results, String section, String direction, String tool, String field) {
        List<Double> values = new ArrayList<>();
        for (JsonNode row : results) {
            if (row.get("section").asText().equals(section) && row.get("direction").asText().equals(direction)
                    && row.get("tool").asText().equals(tool)) {
                values.add(row.get(field).asDouble());
            }
        }
        return values.isEmpty() ? Double.NaN : Ratios.median(values);
    }

    private static boolean has(ArrayNode results, String section) {
        for (JsonNode row : results) {
            if (row.get("section").asText().equals(section)) {
                return true;
            }
        }
        return false;
    }
}
