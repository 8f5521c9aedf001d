package dev.skyferry.identity;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The claims of a JWT, decoded from its payload without verifying the signature: for saying who an
 * identity is ({@code skyferry check}) and for hints. Holds claims only, never the token itself.
 */
public record TokenClaims(Map<String, Object> claims) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public TokenClaims {
        claims = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(claims));
    }

    /**
     * Decodes the payload of a compact JWT.
     *
     * @throws IllegalArgumentException when it is not a JWT (the message never contains the input)
     */
    public static TokenClaims decode(String jwt) {
        String[] parts = jwt == null ? new String[0] : jwt.split("\\.");
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a JWT (expected three dot-separated parts, got " + parts.length + ")");
        }
        try {
            byte[] payload = Base64.getUrlDecoder().decode(parts[1]);
            Map<String, Object> map = JSON.readValue(new String(payload, StandardCharsets.UTF_8), new TypeReference<>() {});
            return new TokenClaims(map);
        } catch (IllegalArgumentException | IOException e) {
            throw new IllegalArgumentException("not a JWT: its payload is not base64url JSON", null);
        }
    }

    public String string(String name) {
        Object value = claims.get(name);
        if (value instanceof Collection<?> list) {
            return list.size() == 1 ? String.valueOf(list.iterator().next()) : String.valueOf(list);
        }
        return value == null ? null : String.valueOf(value);
    }

    public String issuer() {
        return string("iss");
    }

    public String audience() {
        return string("aud");
    }

    public String subject() {
        return string("sub");
    }

    /** The principal's object id (Entra). */
    public String objectId() {
        return string("oid");
    }

    /** The client (application) id: {@code appid} in v1 tokens, {@code azp} in v2. */
    public String appId() {
        String appid = string("appid");
        return appid != null ? appid : string("azp");
    }

    public String tenantId() {
        return string("tid");
    }

    /** Entra token version: "1.0" or "2.0". */
    public String version() {
        return string("ver");
    }

    public Instant expiresAt() {
        Object exp = claims.get("exp");
        return exp instanceof Number n ? Instant.ofEpochSecond(n.longValue()) : null;
    }

    /** A v2 Entra token (accessTokenAcceptedVersion 2): iss ends with /v2.0 and aud is the bare client id. */
    public boolean isEntraV2() {
        return "2.0".equals(version()) || (issuer() != null && issuer().endsWith("/v2.0"));
    }
}
