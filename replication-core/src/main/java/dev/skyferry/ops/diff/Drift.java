package dev.skyferry.ops.diff;

/**
 * One line of a drift report.
 *
 * @param kind       missing, different, unreplicable or extra
 * @param rule       the rule's name
 * @param direction  azure-to-s3 or s3-to-azure
 * @param source     the source object's location ({@code azure://account/container/key}, {@code s3://bucket/key})
 * @param target     the replica's location; null when the rules route the object nowhere
 * @param sourceSize null for an extra (no source)
 * @param targetSize null when nothing is at the target
 * @param sourceEtag null for an extra
 * @param expected   true for an extra the rule's delete policy keeps on purpose: reported, not drift
 * @param detail     what was compared with what
 */
public record Drift(String kind, String rule, String direction, String source, String target, Long sourceSize,
                    Long targetSize, String sourceEtag, boolean expected, String detail) {

    public static final String MISSING = "missing";
    public static final String DIFFERENT = "different";
    public static final String UNREPLICABLE = "unreplicable";
    public static final String EXTRA = "extra";
}
