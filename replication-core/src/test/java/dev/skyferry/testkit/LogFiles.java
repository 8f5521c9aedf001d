package dev.skyferry.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reading the output files of child processes. */
final class LogFiles {

    private LogFiles() {
    }

    /** The last {@code lines} lines of a file, or a note why it can't be read: for error messages. */
    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(could not read " + file + ": " + e + ")";
        }
    }

    /** The file's content from byte {@code offset} on (empty if it does not exist yet). */
    static String readFrom(Path file, long offset) {
        try {
            if (!Files.exists(file)) {
                return "";
            }
            byte[] bytes = Files.readAllBytes(file);
            return offset >= bytes.length ? "" : new String(bytes, (int) offset, bytes.length - (int) offset,
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
