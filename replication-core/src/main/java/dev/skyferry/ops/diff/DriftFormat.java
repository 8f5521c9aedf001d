package dev.skyferry.ops.diff;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Drift lines as JSON Lines (one object per line) or CSV (RFC 4180, with a header line). */
public enum DriftFormat {
    JSON, CSV;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> COLUMNS = List.of("kind", "rule", "direction", "source", "target",
            "source_size", "target_size", "source_etag", "expected", "detail");

    public static DriftFormat parse(String text) {
        try {
            return valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("format must be json or csv, was '" + text + "'");
        }
    }

    /** The header line, or null when the format has none. */
    public String header() {
        return this == CSV ? String.join(",", COLUMNS) : null;
    }

    public String line(Drift d) {
        if (this == JSON) {
            ObjectNode node = MAPPER.createObjectNode();
            node.put("kind", d.kind());
            node.put("rule", d.rule());
            node.put("direction", d.direction());
            node.put("source", d.source());
            node.put("target", d.target());
            node.put("sourceSize", d.sourceSize());
            node.put("targetSize", d.targetSize());
            node.put("sourceEtag", d.sourceEtag());
            node.put("expected", d.expected());
            node.put("detail", d.detail());
            try {
                return MAPPER.writeValueAsString(node);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a JSON tree always serializes", e);
            }
        }
        return List.of(d.kind(), d.rule(), d.direction(), nullToEmpty(d.source()), nullToEmpty(d.target()),
                        d.sourceSize() == null ? "" : d.sourceSize().toString(),
                        d.targetSize() == null ? "" : d.targetSize().toString(),
                        nullToEmpty(d.sourceEtag()), Boolean.toString(d.expected()), nullToEmpty(d.detail()))
                .stream().map(DriftFormat::csvField).collect(Collectors.joining(","));
    }

    /** Quotes a field that holds a comma, quote, CR or LF (keys may hold all of them), doubling inner quotes. */
    static String csvField(String value) {
        boolean quote = value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\n') >= 0
                || value.indexOf('\r') >= 0;
        return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
