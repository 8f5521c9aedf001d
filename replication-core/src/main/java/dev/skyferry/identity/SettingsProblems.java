package dev.skyferry.identity;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Collects settings problems with their paths; shared by the Azure and AWS settings records. */
final class SettingsProblems {

    static final Pattern GUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final List<String> problems = new ArrayList<>();

    List<String> list() {
        return List.copyOf(problems);
    }

    void add(String path, String message) {
        problems.add(path + ": " + message);
    }

    /** The configured value, else the environment variable, else null; blanks count as absent. */
    static String orEnv(String configured, Map<String, String> env, String variable) {
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        String fromEnv = env.get(variable);
        return fromEnv == null || fromEnv.isBlank() ? null : fromEnv.trim();
    }

    static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    boolean required(String path, Object value, String why) {
        if (value == null) {
            add(path, "required " + why);
            return false;
        }
        return true;
    }

    void guid(String path, String value) {
        if (value != null && !GUID.matcher(value).matches()) {
            add(path, "must be a GUID (00000000-0000-0000-0000-000000000000), was '" + value + "'");
        }
    }

    /** An absolute http(s) URL, or null (with a problem) when it is not one. */
    URI url(String path, String value, boolean httpsOnly) {
        if (value == null) {
            return null;
        }
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme();
            boolean schemeOk = httpsOnly ? "https".equalsIgnoreCase(scheme)
                    : "https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme);
            if (!schemeOk || uri.getHost() == null) {
                add(path, "must be an absolute " + (httpsOnly ? "https" : "http(s)") + " URL, was '" + value + "'");
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            add(path, "is not a URL (" + e.getReason() + "), was '" + value + "'");
            return null;
        }
    }

    /** A path to a readable regular file, or null (with a problem, plus {@code hint}) when it is not. */
    Path readableFile(String path, String value, String hint) {
        if (value == null) {
            return null;
        }
        Path file;
        try {
            file = Path.of(value);
        } catch (InvalidPathException e) {
            add(path, "is not a file path, was '" + value + "'");
            return null;
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            add(path, "'" + value + "' does not exist or is not a readable file" + (hint == null ? "" : "; " + hint));
            return null;
        }
        return file;
    }

    /** Secrets left in the configuration for a mode that does not use them are a leak waiting to happen. */
    void unusedSecret(String path, Secret secret, String usedBy) {
        if (secret != null) {
            add(path, "only used with mode " + usedBy + "; remove it (a secret that is not needed should not be stored)");
        }
    }
}
