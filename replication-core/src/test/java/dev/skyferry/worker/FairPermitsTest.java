package dev.skyferry.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class FairPermitsTest {

    /** Takes {@code count} permits for {@code source}, each of which must be free now. */
    private static void take(FairPermits permits, String source, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            assertThat(tryAcquire(permits, source)).as("permit %d of %s", i + 1, source).isTrue();
        }
    }

    @Test
    void aBusySourceBorrowsAllButTheOthersReservedPermit() throws Exception {
        FairPermits permits = new FairPermits(8, List.of("flooded", "quiet"));
        permits.busy("flooded", true);

        take(permits, "flooded", 7);

        assertThat(permits.inUse("flooded")).isEqualTo(7);
        assertThat(tryAcquire(permits, "flooded")).as("the quiet source's reserved permit").isFalse();
    }

    @Test
    void aQuietSourceAlwaysGetsItsReservedPermitWhileAFloodedOneHoldsTheRest() throws Exception {
        FairPermits permits = new FairPermits(4, List.of("flooded", "quiet"));
        permits.busy("flooded", true);
        take(permits, "flooded", 3);

        assertThat(tryAcquire(permits, "quiet")).isTrue();
        assertThat(tryAcquire(permits, "flooded")).as("flooded source must wait").isFalse();
    }

    @Test
    void permitsFreedByABorrowerGoToABusySourceBelowItsShare() throws Exception {
        FairPermits permits = new FairPermits(4, List.of("flooded", "other"));
        permits.busy("flooded", true);
        take(permits, "flooded", 3);
        take(permits, "other", 1);
        permits.busy("other", true); // its share is 2, it holds 1
        assertThat(permits.inUse()).isEqualTo(4);

        permits.release("flooded");

        assertThat(tryAcquire(permits, "flooded")).as("flooded is above its share").isFalse();
        assertThat(tryAcquire(permits, "other")).isTrue();
    }

    @Test
    void aSourceTurningQuietLeavesAllButOnePermitToOthers() throws Exception {
        FairPermits permits = new FairPermits(4, List.of("flooded", "other"));
        permits.busy("other", true);
        take(permits, "flooded", 2);
        assertThat(tryAcquire(permits, "flooded")).as("other's share is reserved").isFalse();

        permits.busy("other", false);

        assertThat(tryAcquire(permits, "flooded")).isTrue();
        assertThat(tryAcquire(permits, "flooded")).as("other keeps one permit").isFalse();
    }

    @Test
    void neverGrantsMoreThanCapacity() throws Exception {
        FairPermits permits = new FairPermits(5, List.of("only"));
        take(permits, "only", 5);

        assertThat(permits.inUse()).isEqualTo(5);
        assertThat(tryAcquire(permits, "only")).isFalse();
    }

    @Test
    void aPausedSourceTakesNothingAndLeavesItsReservationToOthers() throws Exception {
        FairPermits permits = new FairPermits(4, List.of("paused", "busy"));
        permits.limit("paused", 0);
        permits.busy("busy", true);

        take(permits, "busy", 4);

        assertThat(permits.inUse("busy")).isEqualTo(4);
        permits.release("busy");
        assertThat(tryAcquire(permits, "paused")).isFalse();
    }

    @Test
    void aHalfOpenLimitLetsOneMessageThrough() throws Exception {
        FairPermits permits = new FairPermits(8, List.of("probing"));
        permits.limit("probing", 1);

        assertThat(tryAcquire(permits, "probing")).isTrue();
        assertThat(tryAcquire(permits, "probing")).isFalse();
    }

    @Test
    void aWaitingSourceProceedsWhenAPermitIsReleased() throws Exception {
        FairPermits permits = new FairPermits(1, List.of("only"));
        permits.acquire("only");
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> waiting = executor.submit(() -> {
                permits.acquire("only");
                return null;
            });

            permits.release("only");

            waiting.get(5, TimeUnit.SECONDS);
            assertThat(permits.inUse("only")).isEqualTo(1);
        }
    }

    @Test
    void refusesFewerPermitsThanSources() {
        assertThatThrownBy(() -> new FairPermits(2, List.of("a", "b", "c")))
                .hasMessageContaining("copy.maxCopiesInFlight (2) must be at least the number of sources (3)");
    }

    /** Acquires if possible without waiting (a short bounded attempt); false when it would block. */
    private static boolean tryAcquire(FairPermits permits, String source) throws Exception {
        CompletableFuture<Boolean> attempt = new CompletableFuture<>();
        Thread thread = Thread.ofVirtual().start(() -> {
            try {
                permits.acquire(source);
                attempt.complete(true);
            } catch (InterruptedException e) {
                attempt.complete(false);
            }
        });
        try {
            return attempt.get(200, TimeUnit.MILLISECONDS);
        } catch (TimeoutException blocked) {
            thread.interrupt();
            thread.join();
            return attempt.getNow(false);
        }
    }
}
