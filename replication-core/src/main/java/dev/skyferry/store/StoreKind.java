package dev.skyferry.store;

/** The two clouds Skyferry replicates between. */
public enum StoreKind {
    AZURE_BLOB,
    S3;

    /** The other side: where an object from this store is replicated to. */
    public StoreKind opposite() {
        return this == AZURE_BLOB ? S3 : AZURE_BLOB;
    }
}
