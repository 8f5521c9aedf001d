package dev.skyferry.testkit.identity;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** An error as Entra's token endpoint words it: OAuth error, AADSTS code and description, HTTP status. */
final class EntraError extends Exception {

    private static final ObjectMapper JSON = new ObjectMapper();

    final int status;
    final String error;
    final int code;

    EntraError(int status, String error, int code, String description) {
        super("AADSTS" + code + ": " + description);
        this.status = status;
        this.error = error;
        this.code = code;
    }

    static EntraError invalidClient(int code, String description) {
        return new EntraError(401, "invalid_client", code, description);
    }

    static EntraError invalidRequest(int code, String description) {
        return new EntraError(400, "invalid_request", code, description);
    }

    static EntraError invalidGrant(int code, String description) {
        return new EntraError(400, "invalid_grant", code, description);
    }

    static EntraError invalidResource(int code, String description) {
        return new EntraError(400, "invalid_resource", code, description);
    }

    /** Entra's answer while it cannot serve the request (an outage, throttling). */
    static EntraError temporarilyUnavailable() {
        return new EntraError(503, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again.");
    }

    String json() {
        String trace = UUID.randomUUID().toString();
        String correlation = UUID.randomUUID().toString();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", getMessage() + " Trace ID: " + trace + " Correlation ID: " + correlation
                + " Timestamp: " + Instant.now());
        body.put("error_codes", List.of(code));
        body.put("timestamp", Instant.now().toString());
        body.put("trace_id", trace);
        body.put("correlation_id", correlation);
        try {
            return JSON.writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
