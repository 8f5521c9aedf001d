package dev.skyferry.worker;

import dev.skyferry.resilience.FailureClassifier;
import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.StoreException;

/**
 * A readiness check of one dependency, run by the worker every {@code healthInterval}. The worker
 * probes its queues itself (their depth); the app adds one probe per target store.
 */
public interface HealthProbe {

    /** How readiness names it, e.g. {@code target s3://contoso-photos-backup}. */
    String name();

    /** Returns when the dependency answered; throws with the reason when it did not. */
    void check();

    static HealthProbe of(String name, Runnable check) {
        return new HealthProbe() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void check() {
                check.run();
            }
        };
    }

    /**
     * Probes a store with a HEAD of a key that need not exist. Any answer counts, including 404 and
     * 403 (S3 answers a HEAD of a missing key with 403 when the role may not list the bucket, which
     * least-privilege roles rightly cannot); only a transient failure (no answer, 5xx, throttling)
     * makes the store not ready.
     */
    static HealthProbe ofStore(String name, ObjectStore store, String probeKey) {
        return of(name, () -> {
            try {
                store.stat(probeKey);
            } catch (StoreException e) {
                if (FailureClassifier.isTransient(e)) {
                    throw e;
                }
            }
        });
    }
}
