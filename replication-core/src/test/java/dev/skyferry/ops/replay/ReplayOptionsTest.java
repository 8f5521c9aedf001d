package dev.skyferry.ops.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayOptionsTest {

    @Test
    void fractionalRatesSpacePermitsOutWholeRatesRefreshEverySecond() {
        ReplayOptions half = new ReplayOptions(null, null, 0.5, false);
        ReplayOptions twenty = new ReplayOptions(null, null, 20.0, false);

        assertThat(half.ratePeriod()).isEqualTo(Duration.ofSeconds(2));
        assertThat(half.permitsPerPeriod()).isEqualTo(1);
        assertThat(twenty.ratePeriod()).isEqualTo(Duration.ofSeconds(1));
        assertThat(twenty.permitsPerPeriod()).isEqualTo(20);
    }

    @Test
    void badValuesAreRefusedWithTheValueInTheMessage() {
        assertThatThrownBy(() -> new ReplayOptions(null, 0L, null, false)).hasMessage("limit must be at least 1, was 0");
        assertThatThrownBy(() -> new ReplayOptions(null, null, -1.0, false))
                .hasMessage("rate must be within (0, 10000] per second, was -1.0");
        assertThatThrownBy(() -> new ReplayFilter(List.of(), null, "https://bucket/x", null, null))
                .hasMessageContaining("was 'https://bucket/x'");
        assertThatThrownBy(() -> new ReplayFilter(List.of(), null, null, Duration.ofDays(2), Duration.ofDays(1)))
                .hasMessage("older-than PT48H is more than newer-than PT24H: no dead letter could match");
    }

    @Test
    void anEmptyFilterTakesEverythingSoAServerSideMoveIsPossible() {
        assertThat(ReplayFilter.ALL.takesAll()).isTrue();
        assertThat(new ReplayFilter(List.of("x"), null, null, null, null).takesAll()).isFalse();
    }
}
