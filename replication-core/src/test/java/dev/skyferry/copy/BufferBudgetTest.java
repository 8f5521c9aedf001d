package dev.skyferry.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BufferBudgetTest {

    @Test
    void reusesPartSizedBuffers() throws InterruptedException {
        BufferBudget budget = new BufferBudget(4096, 1024);

        for (int i = 0; i < 100; i++) {
            try (BufferBudget.Lease lease = budget.acquire(1000)) {
                assertThat(lease.buffer().limit()).isEqualTo(1000);
                assertThat(lease.buffer().position()).isZero();
            }
        }

        assertThat(budget.bytesAllocated()).isEqualTo(1024);
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void blocksWhileTheBudgetIsSpentAndResumesOnRelease() throws Exception {
        BufferBudget budget = new BufferBudget(2048, 1024);
        BufferBudget.Lease first = budget.acquire(1024);
        BufferBudget.Lease second = budget.acquire(1024);
        CountDownLatch acquired = new CountDownLatch(1);

        Thread waiter = Thread.ofVirtual().start(() -> {
            try (BufferBudget.Lease third = budget.acquire(1024)) {
                acquired.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        await().until(() -> budget.waiting() == 1);
        assertThat(acquired.getCount()).as("third buffer must wait").isEqualTo(1);
        first.close();
        assertThat(acquired.await(10, TimeUnit.SECONDS)).isTrue();
        waiter.join();
        second.close();
        assertThat(budget.highWaterMark()).isLessThanOrEqualTo(2048);
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void dropsIdlePooledBuffersToMakeRoomForOtherSizes() throws InterruptedException {
        BufferBudget budget = new BufferBudget(2048, 1024);
        budget.acquire(1024).close();
        budget.acquire(1024).close(); // reused, one idle buffer remains

        try (BufferBudget.Lease small = budget.acquire(400);
             BufferBudget.Lease other = budget.acquire(400);
             BufferBudget.Lease third = budget.acquire(400)) {
            assertThat(budget.highWaterMark()).isLessThanOrEqualTo(2048);
        }
    }

    @Test
    void servesWaitersInArrivalOrder() throws Exception {
        BufferBudget budget = new BufferBudget(1024, 1024);
        BufferBudget.Lease held = budget.acquire(1024);
        AtomicReference<String> firstServed = new AtomicReference<>();

        Thread big = Thread.ofVirtual().start(() -> {
            try (BufferBudget.Lease lease = budget.acquire(1024)) {
                firstServed.compareAndSet(null, "big");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().until(() -> budget.waiting() == 1);
        Thread small = Thread.ofVirtual().start(() -> {
            try (BufferBudget.Lease lease = budget.acquire(10)) {
                firstServed.compareAndSet(null, "small");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().until(() -> budget.waiting() == 2);
        held.close();
        big.join();
        small.join();

        assertThat(firstServed.get()).isEqualTo("big");
    }

    @Test
    void anInterruptedWaiterGivesUpItsPlaceInLine() throws Exception {
        BufferBudget budget = new BufferBudget(1024, 1024);
        BufferBudget.Lease held = budget.acquire(1024);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                budget.acquire(1024);
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        await().until(() -> budget.waiting() == 1);
        waiter.interrupt();
        waiter.join();
        held.close();

        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
        try (BufferBudget.Lease next = budget.acquire(1024)) {
            assertThat(budget.inUse()).isEqualTo(1024);
        }
    }

    @Test
    void rejectsABufferLargerThanTheWholeBudget() {
        BufferBudget budget = new BufferBudget(2048, 1024);

        assertThatThrownBy(() -> budget.acquire(4096))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4096");
    }

    @Test
    void rejectsABudgetSmallerThanOnePart() {
        assertThatThrownBy(() -> new BufferBudget(100, 1024))
                .hasMessage("buffer budget must hold at least one part (1024 bytes), was 100");
    }
}
