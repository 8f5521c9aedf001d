package dev.skyferry.worker;

import dev.skyferry.queue.SourceType;
import dev.skyferry.store.StoreKind;

/** Which way an event's object flows: the {@code direction} label of the metrics. */
public enum Direction {
    AZURE_TO_S3("azure-to-s3"),
    S3_TO_AZURE("s3-to-azure");

    private final String label;

    Direction(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The direction of an event about an object in {@code source}. */
    public static Direction from(StoreKind source) {
        return source == StoreKind.AZURE_BLOB ? AZURE_TO_S3 : S3_TO_AZURE;
    }

    /** The direction of the events a source of this type delivers (for messages with no event parsed). */
    public static Direction of(SourceType type) {
        return type == SourceType.AZURE_QUEUE ? AZURE_TO_S3 : S3_TO_AZURE;
    }

    @Override
    public String toString() {
        return label;
    }
}
