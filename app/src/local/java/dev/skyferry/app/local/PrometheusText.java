package dev.skyferry.app.local;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples out of the worker's {@code /metrics} (Prometheus text exposition format). */
public final class PrometheusText {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private PrometheusText() {}

    /** The samples of {@code metric} (a series name, e.g. {@code x_count}): their labels → value. */
    public static Map<Map<String, String>, Double> samples(String text, String metric) {
        Map<Map<String, String>, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith(metric)) {
                continue;
            }
            Matcher sample = SAMPLE.matcher(line.trim());
            if (!sample.matches() || !sample.group(1).equals(metric)) {
                continue;
            }
            Map<String, String> labels = new TreeMap<>();
            if (sample.group(2) != null) {
                Matcher label = LABEL.matcher(sample.group(2));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            samples.merge(labels, Double.parseDouble(sample.group(3)), Double::sum);
        }
        return samples;
    }
}
