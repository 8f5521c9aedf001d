package dev.skyferry.app.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyferry.worker.WorkerMetrics;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the worker's time went in one pass, from its own histograms scraped before and after it: the
 * queue's receive round trips, the wait of received messages for a copy slot, the copies, and the
 * deletes. With the pass's wall time it says whether copy slots sat idle waiting for the queue or
 * messages waited for copies.
 *
 * @param receives       receives that returned messages during the pass
 * @param receiveMs      their mean round trip
 * @param slotWaitMs     mean wait of a received message for a copy slot
 * @param copyMs         mean copy (plan, read, write, verify) of a replicated event
 * @param deleteMs       mean delete call
 * @param copySlotsBusy  share of the pass the copy slots spent copying: copy time ÷ (wall time × slots)
 */
record StageTimes(long receives, double receiveMs, double slotWaitMs, double copyMs, double deleteMs, double copySlotsBusy) {

    /** {@code name_sum{labels} value} or {@code name_count{labels} value} in Prometheus text. */
    private static final Pattern SERIES = Pattern.compile("^(skyferry_[a-z_]+)_(sum|count)\\{([^}]*)} (\\S+)$");

    static StageTimes between(String before, String after, Direction direction, String source, double seconds, int slots) {
        Map<String, Double> start = sumsAndCounts(before);
        Map<String, Double> end = sumsAndCounts(after);
        Delta receive = Delta.of(start, end, "skyferry_receive_duration_seconds", "source=\"" + source + "\"");
        Delta wait = Delta.of(start, end, "skyferry_copy_slot_wait_seconds", "source=\"" + source + "\"");
        Delta copy = Delta.of(start, end, "skyferry_copy_duration_seconds", "direction=\"" + direction.label + "\"");
        Delta delete = Delta.of(start, end, "skyferry_settle_duration_seconds",
                "action=\"" + WorkerMetrics.DELETE + "\",source=\"" + source + "\"");
        return new StageTimes((long) receive.count, receive.meanMs(), wait.meanMs(), copy.meanMs(), delete.meanMs(),
                seconds <= 0 ? 0 : copy.sum / (seconds * slots));
    }

    String describe(long events) {
        return String.format(Locale.ROOT, "%d receives (%.1f messages each) of %.0f ms; a message waited %.0f ms for a"
                        + " copy slot, was copied in %.0f ms and deleted in %.0f ms; copy slots copying %.0f %% of the pass",
                receives, receives == 0 ? 0.0 : (double) events / receives, receiveMs, slotWaitMs, copyMs, deleteMs,
                100 * copySlotsBusy);
    }

    ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("receives", receives).put("receiveMs", round(receiveMs)).put("copySlotWaitMs", round(slotWaitMs))
                .put("copyMs", round(copyMs)).put("deleteMs", round(deleteMs)).put("copySlotsBusy", round(copySlotsBusy));
        return node;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    /** "name_sum|labels" and "name_count|labels" → value; labels as the worker prints them (sorted by name). */
    private static Map<String, Double> sumsAndCounts(String metrics) {
        Map<String, Double> values = new HashMap<>();
        for (String line : metrics.split("\n")) {
            Matcher m = SERIES.matcher(line.trim());
            if (m.matches()) {
                values.put(m.group(1) + "_" + m.group(2) + "|" + m.group(3), Double.parseDouble(m.group(4)));
            }
        }
        return values;
    }

    private record Delta(double sum, double count) {
        static Delta of(Map<String, Double> start, Map<String, Double> end, String name, String labels) {
            return new Delta(difference(start, end, name + "_sum|" + labels), difference(start, end, name + "_count|" + labels));
        }

        private static double difference(Map<String, Double> start, Map<String, Double> end, String key) {
            return end.getOrDefault(key, 0.0) - start.getOrDefault(key, 0.0);
        }

        double meanMs() {
            return count == 0 ? 0 : 1000 * sum / count;
        }
    }
}
