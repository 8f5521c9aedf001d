package dev.skyferry.testkit;

import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.ObjectStoreContract;
import org.junit.jupiter.api.Nested;

/** The in-memory store runs the same conformance suite as the cloud stores, in both flavours. */
class InMemoryStoreTest {

    /** The store accepts parts of any size; the suite sizes its objects from this (its last part is 777 bytes). */
    private static final int PART = 1024;

    @Nested
    class BehavingLikeS3 extends ObjectStoreContract {
        @Override
        protected ObjectStore newStore() {
            return InMemoryStore.s3("bucket");
        }

        @Override
        protected ObjectStore storeOnMissingContainer() {
            return null;
        }

        @Override
        protected int minPartSize() {
            return PART;
        }
    }

    @Nested
    class BehavingLikeAzure extends ObjectStoreContract {
        @Override
        protected ObjectStore newStore() {
            return InMemoryStore.azure("acct", "container");
        }

        @Override
        protected ObjectStore storeOnMissingContainer() {
            return null;
        }

        @Override
        protected int minPartSize() {
            return PART;
        }
    }
}
