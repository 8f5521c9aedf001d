package dev.skyferry.app.bench;

import java.util.List;
import java.util.Locale;

/**
 * The lag chart as a standalone SVG, two panels: the distribution (CDF) per direction with its p50,
 * p95 and p99 marked and the 1 s target, and each event's lag over the run (to show warm-up and
 * stalls, which percentiles hide).
 */
final class LagChart {

    /** One direction's series: lags (ms) and, index for index, when each event was enqueued (s into the run). */
    record Series(String label, String color, LagStats stats, List<double[]> atSecondAndLag) {}

    private static final int WIDTH = 900;
    private static final int PANEL_HEIGHT = 300;
    private static final int LEFT = 70;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int GAP = 80;

    private final StringBuilder svg = new StringBuilder();

    String render(String title, List<Series> series, double targetMillis, double runSeconds) {
        double axisMax = niceCeiling(Math.max(targetMillis * 1.1,
                series.stream().mapToDouble(s -> s.stats().max()).max().orElse(targetMillis)));
        int height = TOP + 2 * PANEL_HEIGHT + GAP + 60;
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, height, WIDTH, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(WIDTH / 2.0, 22, title, "middle", 15, "bold");

        int cdfTop = TOP;
        panelFrame(cdfTop, "lag (ms), enqueue → replica verified", "fraction of events ≤ x", axisMax, 1.0, false);
        double plotWidth = WIDTH - LEFT - RIGHT;
        double x0 = LEFT;
        double yBottom = cdfTop + PANEL_HEIGHT;
        line(x(targetMillis, axisMax), cdfTop, x(targetMillis, axisMax), yBottom, "#999", "6,4");
        text(x(targetMillis, axisMax) - 4, cdfTop + 12, "target p99 ≤ " + (int) targetMillis + " ms", "end", 11, "normal");
        int legendRow = 0;
        for (Series s : series) {
            double[] values = s.stats().sortedMillis();
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < values.length; i++) {
                double px = x(values[i], axisMax);
                double py = yBottom - (i + 1) / (double) values.length * PANEL_HEIGHT;
                path.append(i == 0 ? String.format(Locale.ROOT, "M%.1f,%.1f", px, yBottom) : "")
                        .append(String.format(Locale.ROOT, " L%.1f,%.1f", px, py));
            }
            svg.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"/>%n",
                    path, s.color()));
            for (double p : new double[] {50, 95, 99}) {
                double v = s.stats().percentile(p);
                double px = x(v, axisMax);
                double py = yBottom - p / 100 * PANEL_HEIGHT;
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>%n", px, py, s.color()));
            }
            String legend = String.format(Locale.ROOT, "%s (n=%d): p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms",
                    s.label(), s.stats().count(), s.stats().percentile(50), s.stats().percentile(95),
                    s.stats().percentile(99), s.stats().max());
            double ly = yBottom - 60 + legendRow * 16;
            line(x0 + plotWidth - 420, ly - 4, x0 + plotWidth - 400, ly - 4, s.color(), null);
            text(x0 + plotWidth - 395, ly, legend, "start", 11, "normal");
            legendRow++;
        }
        text(x0 + plotWidth - 420, yBottom - 60 + legendRow * 16, "dots: p50, p95, p99", "start", 11, "normal");

        int timeTop = cdfTop + PANEL_HEIGHT + GAP;
        panelFrame(timeTop, "seconds into the run (event enqueued)", "lag (ms)", runSeconds, axisMax, true);
        double timeBottom = timeTop + PANEL_HEIGHT;
        line(LEFT, timeBottom - targetMillis / axisMax * PANEL_HEIGHT, LEFT + plotWidth,
                timeBottom - targetMillis / axisMax * PANEL_HEIGHT, "#999", "6,4");
        for (Series s : series) {
            for (double[] point : s.atSecondAndLag()) {
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.6\" fill=\"%s\" fill-opacity=\"0.6\"/>%n",
                        LEFT + point[0] / runSeconds * plotWidth, timeBottom - point[1] / axisMax * PANEL_HEIGHT, s.color()));
            }
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private double x(double millis, double axisMax) {
        return LEFT + millis / axisMax * (WIDTH - LEFT - RIGHT);
    }

    /** Axes, grid and tick labels of one panel; {@code yIsMillis} picks the tick format. */
    private void panelFrame(int top, String xLabel, String yLabel, double xMax, double yMax, boolean yIsMillis) {
        double plotWidth = WIDTH - LEFT - RIGHT;
        double bottom = top + PANEL_HEIGHT;
        for (int i = 0; i <= 5; i++) {
            double fx = LEFT + i / 5.0 * plotWidth;
            double fy = bottom - i / 5.0 * PANEL_HEIGHT;
            line(fx, top, fx, bottom, "#eee", null);
            line(LEFT, fy, LEFT + plotWidth, fy, "#eee", null);
            text(fx, bottom + 16, format(xMax * i / 5.0), "middle", 11, "normal");
            text(LEFT - 6, fy + 4, yIsMillis ? format(yMax * i / 5.0) : String.format(Locale.ROOT, "%.1f", yMax * i / 5.0),
                    "end", 11, "normal");
        }
        line(LEFT, bottom, LEFT + plotWidth, bottom, "#333", null);
        line(LEFT, top, LEFT, bottom, "#333", null);
        text(LEFT + plotWidth / 2, bottom + 36, xLabel, "middle", 12, "normal");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 %d %.1f)\">%s</text>%n",
                18, top + PANEL_HEIGHT / 2.0, 18, top + PANEL_HEIGHT / 2.0, escape(yLabel)));
    }

    private void line(double x1, double y1, double x2, double y2, String color, String dash) {
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>%n",
                x1, y1, x2, y2, color, dash == null ? "" : " stroke-dasharray=\"" + dash + "\""));
    }

    private void text(double x, double y, String content, String anchor, int size, String weight) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\" font-weight=\"%s\">%s</text>%n",
                x, y, anchor, size, weight, escape(content)));
    }

    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
    }

    /** 1, 2 or 5 times a power of ten, at least {@code value}. */
    static double niceCeiling(double value) {
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 5, 10}) {
            if (step * power >= value) {
                return step * power;
            }
        }
        return 10 * power;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
