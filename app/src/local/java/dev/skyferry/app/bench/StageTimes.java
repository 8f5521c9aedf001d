package dev.skyferry.app.bench;

import static dev.skyferry.app.local.PrometheusText.samples;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyferry.worker.WorkerMetrics;
import java.util.Locale;
import java.util.Map;

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

    static StageTimes between(String before, String after, Direction direction, String source, double seconds, int slots) {
        Map<String, String> ofSource = Map.of("source", source);
        Delta receive = Delta.of(before, after, "skyferry_receive_duration_seconds", ofSource);
        Delta wait = Delta.of(before, after, "skyferry_copy_slot_wait_seconds", ofSource);
        Delta copy = Delta.of(before, after, "skyferry_copy_duration_seconds", Map.of("direction", direction.label));
        Delta delete = Delta.of(before, after, "skyferry_settle_duration_seconds",
                Map.of("action", WorkerMetrics.DELETE, "source", source));
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

    /** A histogram's sum and count grown between two scrapes, for the series with exactly {@code labels}. */
    private record Delta(double sum, double count) {
        static Delta of(String before, String after, String histogram, Map<String, String> labels) {
            return new Delta(growth(before, after, histogram + "_sum", labels), growth(before, after, histogram + "_count", labels));
        }

        private static double growth(String before, String after, String series, Map<String, String> labels) {
            return samples(after, series).getOrDefault(labels, 0.0) - samples(before, series).getOrDefault(labels, 0.0);
        }

        double meanMs() {
            return count == 0 ? 0 : 1000 * sum / count;
        }
    }
}
