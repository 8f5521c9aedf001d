package dev.skyferry.pipeline;

import dev.skyferry.store.ObjectStore;
import dev.skyferry.store.StoreKind;

/** The configured stores, by where they are: {@code app} builds one per rule side at start. */
@FunctionalInterface
public interface StoreLookup {

    /**
     * @param account Azure storage account; null for S3
     * @throws IllegalArgumentException when no store is configured there (a routed event never asks for one)
     */
    ObjectStore store(StoreKind kind, String account, String container);
}
