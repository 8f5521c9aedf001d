package dev.skyferry.plan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SequencersTest {

    @Test
    void leftPadsTheShorterSequencerBeforeComparing() {
        // As strings "9" > "10"; as S3 documents, padded "09" < "10".
        assertThat(Sequencers.compare("9", "10")).isNegative();
        assertThat(Sequencers.compare("0055AED6DCD90281E5", "55AED6DCD90281E6")).isNegative();
    }

    @Test
    void treatsLeadingZerosAsEqual() {
        assertThat(Sequencers.compare("00000000000004420000000000028963", "4420000000000028963")).isZero();
    }

    @Test
    void ordersHexWrittenInEitherCaseTheSame() {
        assertThat(Sequencers.compare("0a", "0B")).isNegative();
        assertThat(Sequencers.compare("ff", "FF")).isZero();
    }
}
