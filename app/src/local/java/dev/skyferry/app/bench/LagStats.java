package dev.skyferry.app.bench;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Percentiles of one set of millisecond values, nearest-rank (the smallest value with ≥ p of them at or below it). */
record LagStats(double[] sortedMillis) {

    static LagStats of(Collection<Double> millis) {
        double[] values = millis.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(values);
        return new LagStats(values);
    }

    int count() {
        return sortedMillis.length;
    }

    double percentile(double p) {
        if (sortedMillis.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sortedMillis.length);
        return sortedMillis[Math.max(0, rank - 1)];
    }

    double min() {
        return sortedMillis.length == 0 ? Double.NaN : sortedMillis[0];
    }

    double max() {
        return sortedMillis.length == 0 ? Double.NaN : sortedMillis[sortedMillis.length - 1];
    }

    double mean() {
        return Arrays.stream(sortedMillis).average().orElse(Double.NaN);
    }

    /** Values above {@code limitMillis}. */
    int above(double limitMillis) {
        return (int) Arrays.stream(sortedMillis).filter(v -> v > limitMillis).count();
    }

    /** count, p50, p95, p99, max (and min, mean), rounded to 0.1 ms, for the JSON. */
    Map<String, Object> summary() {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("count", count());
        summary.put("min", round(min()));
        summary.put("p50", round(percentile(50)));
        summary.put("p95", round(percentile(95)));
        summary.put("p99", round(percentile(99)));
        summary.put("max", round(max()));
        summary.put("mean", round(mean()));
        return summary;
    }

    /** Counts per bin of {@code binMillis}, from 0 to the maximum. */
    int[] histogram(double binMillis) {
        int[] bins = new int[sortedMillis.length == 0 ? 0 : (int) Math.floor(max() / binMillis) + 1];
        for (double v : sortedMillis) {
            bins[(int) Math.floor(Math.max(0, v) / binMillis)]++;
        }
        return bins;
    }

    static Double round(double value) {
        return Double.isNaN(value) ? null : Math.round(value * 10) / 10.0;
    }
}
