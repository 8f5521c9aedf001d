package dev.skyferry.worker;

import java.util.regex.Pattern;

/**
 * Removes URL query strings from error texts before they are stored in a dead-letter queue: a SAS
 * token or a pre-signed signature lives there, and dead-letter queues are read by people and tools.
 */
final class Redaction {

    private static final Pattern URL_QUERY = Pattern.compile("(https?://[^\\s?\"'<>]+)\\?[^\\s\"'<>]*");

    private Redaction() {}

    static String withoutQueryStrings(String text) {
        return text == null ? null : URL_QUERY.matcher(text).replaceAll("$1?<redacted>");
    }
}
