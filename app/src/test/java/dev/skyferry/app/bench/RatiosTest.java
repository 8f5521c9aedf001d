package dev.skyferry.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class RatiosTest {

    private final ArrayNode results = new ObjectMapper().createArrayNode();

    private void pass(String tool, int repeat, int repeats, double seconds, double cpuPer1000) {
        ObjectNode row = results.addObject();
        row.put("section", "large").put("direction", "azure-to-s3").put("tool", tool)
                .put("repeat", repeat).put("repeats", repeats).put("seconds", seconds).put("cpuSecondsPer1000", cpuPer1000);
    }

    @Test
    void aRepeatedSectionIsComparedRoundByRoundAndSummedUpByTheMedian() {
        pass("skyferry", 1, 3, 20, 10);
        pass("rclone", 1, 3, 22, 10); // 1.10×
        pass("rclone", 2, 3, 19, 10); // 0.95×: this round's Skyferry is slower
        pass("skyferry", 2, 3, 20, 10);
        pass("skyferry", 3, 3, 30, 10);
        pass("rclone", 3, 3, 31.5, 10); // 1.05×

        JsonNode ratios = Ratios.of(results).get("large azure-to-s3");

        assertThat(ratios.get("throughputVsRclone").asDouble()).isEqualTo(1.05);
        assertThat(ratios.get("throughputVsRcloneByRound")).extracting(JsonNode::asDouble).containsExactly(1.10, 0.95, 1.05);
    }

    @Test
    void aSectionRunOnceHasItsOneRatioAndNoRounds() {
        pass("skyferry", 1, 1, 10, 2);
        pass("rclone", 1, 1, 12, 1);

        JsonNode ratios = Ratios.of(results).get("large azure-to-s3");

        assertThat(ratios.get("throughputVsRclone").asDouble()).isEqualTo(1.2);
        assertThat(ratios.get("cpuPerObjectVsRclone").asDouble()).isEqualTo(2.0);
        assertThat(ratios.has("throughputVsRcloneByRound")).isFalse();
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Ratios.median(List.of(0.9, 1.3, 1.0, 1.1))).isEqualTo(1.05);
    }
}
