package dev.skyferry.rule;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The blob endpoint of one storage account, used to check that an event's {@code data.url} really
 * points into that account before anything is done for it. The URL itself is never fetched;
 * Skyferry reads from the endpoint in its own configuration.
 *
 * <p>Public cloud style {@code https://<account>.blob.core.windows.net} (the default) also admits the
 * same account's Data Lake host {@code <account>.dfs.core.windows.net}, where HNS accounts' events
 * (FlushWithClose, DeleteFile) point. Path-style endpoints (Azurite, {@code http://127.0.0.1:10000/devstoreaccount1})
 * are compared by host, port and the account path segment.
 */
record AccountEndpoint(String text, String scheme, String host, String dfsHost, int port, List<String> pathSegments) {

    static AccountEndpoint defaultFor(String account) {
        return parse("https://" + account.toLowerCase(Locale.ROOT) + ".blob.core.windows.net", account);
    }

    /** @throws IllegalArgumentException with the bad value, when not an absolute http(s) URL with a host */
    static AccountEndpoint parse(String endpoint, String account) {
        URI uri;
        try {
            uri = new URI(endpoint.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + endpoint + "' is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"https".equals(scheme) && !"http".equals(scheme)) {
            throw new IllegalArgumentException("'" + endpoint + "' is not an http(s) URL");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("'" + endpoint + "' has no host");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("'" + endpoint + "' must not carry a query or fragment");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        String blobLabel = account.toLowerCase(Locale.ROOT) + ".blob.";
        String dfsHost = host.startsWith(blobLabel)
                ? account.toLowerCase(Locale.ROOT) + ".dfs." + host.substring(blobLabel.length())
                : null;
        String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("/+$", "");
        return new AccountEndpoint(endpoint, scheme, host, dfsHost, effectivePort(scheme, uri.getPort()),
                segments(path));
    }

    /**
     * Why {@code url} does not point into {@code container} of this account, or null when it does.
     */
    String mismatch(String url, String container) {
        if (url == null) {
            return "event has no data.url";
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "data.url is not a valid URL (" + e.getReason() + ")";
        }
        String urlScheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        String urlHost = uri.getHost() == null ? null : uri.getHost().toLowerCase(Locale.ROOT);
        if (urlHost == null || !("https".equals(urlScheme) || "http".equals(urlScheme))) {
            return "data.url " + safe(uri) + " is not an http(s) URL with a host";
        }
        boolean hostMatches = urlHost.equals(host) || urlHost.equals(dfsHost);
        if (!hostMatches || effectivePort(urlScheme, uri.getPort()) != port) {
            return "data.url host " + hostAndPort(uri) + " is not the account's endpoint " + text
                    + (dfsHost == null ? "" : " (or " + dfsHost + ")");
        }
        List<String> urlSegments = segments(uri.getPath());
        if (urlSegments.size() <= pathSegments.size()
                || !urlSegments.subList(0, pathSegments.size()).equals(pathSegments)
                || !urlSegments.get(pathSegments.size()).equals(container)) {
            return "data.url path " + uri.getRawPath() + " is not under " + text + "/" + container + "/";
        }
        return null;
    }

    private static int effectivePort(String scheme, int port) {
        return port >= 0 ? port : ("https".equals(scheme) ? 443 : 80);
    }

    private static List<String> segments(String path) {
        if (path == null || path.isEmpty() || path.equals("/")) {
            return List.of();
        }
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        return Arrays.asList(trimmed.split("/", -1));
    }

    private static String hostAndPort(URI uri) {
        return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    }

    /** Scheme, host, port and path only: a query could be a SAS. */
    private static String safe(URI uri) {
        return (uri.getScheme() == null ? "" : uri.getScheme() + "://")
                + (uri.getHost() == null ? "" : hostAndPort(uri))
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }
}
