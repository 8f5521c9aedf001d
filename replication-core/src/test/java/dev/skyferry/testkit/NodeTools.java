package dev.skyferry.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds Node.js and npm on the PATH, with an error that says what to install. */
final class NodeTools {

    private NodeTools() {
    }

    static String node() {
        return find("node");
    }

    static String npm() {
        return find("npm");
    }

    private static String find(String executable) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(File.pathSeparator)) {
                if (entry.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(entry, executable);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        throw new IllegalStateException("Azurite (the Azure Storage emulator) needs Node.js 18+ with npm, but '"
                + executable + "' is not on the PATH (" + path + "); install Node.js, e.g. apt-get install nodejs npm");
    }
}
