package dev.skyferry.app.bench;

/** The two ways objects cross between the clouds; the labels match the worker's {@code direction} metric label. */
enum Direction {
    AZURE_TO_S3("azure-to-s3"),
    S3_TO_AZURE("s3-to-azure");

    final String label;

    Direction(String label) {
        this.label = label;
    }

    static Direction of(String label) {
        for (Direction direction : values()) {
            if (direction.label.equals(label)) {
                return direction;
            }
        }
        throw new IllegalArgumentException("unknown direction " + label + " (azure-to-s3 or s3-to-azure)");
    }
}
