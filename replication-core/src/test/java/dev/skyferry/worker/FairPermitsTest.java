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

    private static final int BATCH = 10;

    /** Makes {@code source} busy: a full receive of one message. */
    private static void turnBusy(FairPermits permits, String source) throws InterruptedException {
        int granted = permits.acquireForReceive(source, BATCH);
        permits.received(source, granted, granted);
    }

    @Test
    void aQuietSourceAsksForOneMessageAtATime() throws InterruptedException {
        FairPermits permits = new FairPermits(8, List.of("a", "b"));

        assertThat(permits.acquireForReceive("a", BATCH)).isEqualTo(1);
    }

    @Test
    void aBusySourceBorrowsAllButTheOthersReservedPermit() throws InterruptedException {
        FairPermits permits = new FairPermits(8, List.of("flooded", "quiet"));
        turnBusy(permits, "flooded");

        int granted = permits.acquireForReceive("flooded", BATCH);

        assertThat(permits.inUse("flooded")).isEqualTo(1 + granted).isEqualTo(7);
    }

    @Test
    void aQuietSourceAlwaysGetsItsReservedPermitWhileAFloodedOneHoldsTheRest() throws Exception {
        FairPermits permits = new FairPermits(4, List.of("flooded", "quiet"));
        turnBusy(permits, "flooded");
        permits.acquireForReceive("flooded", BATCH); // now holds 3 of 4

        assertThat(permits.acquireForReceive("quiet", BATCH)).isEqualTo(1);
        assertThat(tryAcquire(permits, "flooded")).as("flooded source must wait").isNull();
    }

    @Test
    void permitsFreedByABorrowerGoToABusySourceBelowItsShare() throws Exception {
        FairPermits permits = new FairPermits(4, List.of("flooded", "other"));
        turnBusy(permits, "flooded");
        permits.acquireForReceive("flooded", BATCH); // flooded: 3
        turnBusy(permits, "other"); // other received a full batch of 1: busy, holds 1, share 2
        assertThat(permits.inUse()).isEqualTo(4);

        permits.release("flooded");

        assertThat(tryAcquire(permits, "flooded")).as("flooded is above its share").isNull();
        assertThat(tryAcquire(permits, "other")).isEqualTo(1);
    }

    @Test
    void neverGrantsMoreThanCapacity() throws Exception {
        FairPermits permits = new FairPermits(5, List.of("only"));
        turnBusy(permits, "only");
        permits.acquireForReceive("only", BATCH);

        assertThat(permits.inUse()).isEqualTo(5);
        assertThat(tryAcquire(permits, "only")).isNull();
    }

    @Test
    void aPausedSourceTakesNothingAndLeavesItsReservationToOthers() throws Exception {
        FairPermits permits = new FairPermits(4, List.of("paused", "busy"));
        permits.limit("paused", 0);
        turnBusy(permits, "busy");

        permits.acquireForReceive("busy", BATCH);

        assertThat(permits.inUse("busy")).isEqualTo(4);
        permits.release("busy");
        assertThat(tryAcquire(permits, "paused")).isNull();
    }

    @Test
    void aHalfOpenLimitLetsOneMessageThrough() throws Exception {
        FairPermits permits = new FairPermits(8, List.of("probing"));
        turnBusy(permits, "probing");
        permits.release("probing");
        permits.limit("probing", 1);

        assertThat(permits.acquireForReceive("probing", BATCH)).isEqualTo(1);
        assertThat(tryAcquire(permits, "probing")).isNull();
    }

    @Test
    void aWaitingSourceProceedsWhenAPermitIsReleased() throws Exception {
        FairPermits permits = new FairPermits(1, List.of("only"));
        permits.acquireForReceive("only", BATCH);
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> waiting = executor.submit(() -> permits.acquireForReceive("only", BATCH));

            permits.release("only");

            assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void refusesFewerPermitsThanSources() {
        assertThatThrownBy(() -> new FairPermits(2, List.of("a", "b", "c")))
                .hasMessageContaining("copy.maxCopiesInFlight (2) must be at least the number of sources (3)");
    }

    /** Acquires if possible without waiting (a short bounded attempt); null when it would block. */
    private static Integer tryAcquire(FairPermits permits, String source) throws Exception {
        CompletableFuture<Integer> attempt = new CompletableFuture<>();
        Thread thread = Thread.ofVirtual().start(() -> {
            try {
                attempt.complete(permits.acquireForReceive(source, BATCH));
            } catch (InterruptedException e) {
                attempt.complete(null);
            }
        });
        try {
            return attempt.get(200, TimeUnit.MILLISECONDS);
        } catch (TimeoutException blocked) {
            thread.interrupt();
            thread.join();
            return attempt.getNow(null);
        }
    }
}
