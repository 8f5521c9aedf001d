package dev.skyferry.event;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Azure queue message text → JSON text. Event Grid's queue handler writes base64-encoded JSON
 * (Azure's own samples decode first), older setups and tests write raw JSON; both are accepted.
 * Detection is unambiguous: JSON starts with {@code {} or {@code [}, which the base64 alphabet
 * never contains, so raw JSON is never base64-decoded and base64 is never read as JSON.
 */
final class QueueText {

    private QueueText() {}

    /** The JSON text, or a failure reason. */
    sealed interface Decoded permits Json, Undecodable {}

    record Json(String text) implements Decoded {}

    record Undecodable(String reason) implements Decoded {}

    static Decoded decode(String messageText) {
        if (messageText == null) {
            return new Undecodable("message has no text");
        }
        String text = stripLeading(messageText);
        if (text.isEmpty()) {
            return new Undecodable("message text is empty");
        }
        if (startsLikeJson(text)) {
            return new Json(text);
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            return new Undecodable("message text is neither JSON nor base64 (" + e.getMessage() + "): "
                    + EventJson.excerpt(text));
        }
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return new Undecodable("base64-decoded message is not UTF-8 text");
        }
        decoded = stripLeading(decoded);
        if (!startsLikeJson(decoded)) {
            return new Undecodable("base64-decoded message is not JSON: " + EventJson.excerpt(decoded));
        }
        return new Json(decoded);
    }

    private static boolean startsLikeJson(String text) {
        char first = text.charAt(0);
        return first == '{' || first == '[';
    }

    /** Drops a byte-order mark and leading whitespace. */
    private static String stripLeading(String text) {
        int start = 0;
        while (start < text.length()
                && (text.charAt(start) == '\uFEFF' || Character.isWhitespace(text.charAt(start)))) {
            start++;
        }
        return start == 0 ? text : text.substring(start);
    }
}
