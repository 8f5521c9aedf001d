package dev.skyferry.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for services the tests stop and start again on the same port (the emulators,
 * the token issuer). A port the system picks on bind(0) lies in the ephemeral range, which outgoing
 * connections also draw their local ports from: while the service is down, any connection made meanwhile
 * may take its port and keep it as long as it lives (a fault-suite run lost the issuer's port so, for
 * longer than the issuer's 15 s of retries). Ports below that range are never handed out that way.
 */
public final class LoopbackPorts {

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 10_000;
    private static final int ATTEMPTS = 200;

    private LoopbackPorts() {}

    /** One free port below the ephemeral range, or 0 (let the service pick) where that range is unknown. */
    public static int freeOutsideEphemeralRange() {
        return freeOutsideEphemeralRange(1)[0];
    }

    /** {@code count} distinct free ports below the ephemeral range, or zeros where that range is unknown. */
    public static int[] freeOutsideEphemeralRange(int count) {
        int ephemeralLow = ephemeralLow();
        if (ephemeralLow - LOWEST < 1_000) {
            return new int[count];
        }
        Set<Integer> found = new LinkedHashSet<>();
        for (int attempt = 0; attempt < ATTEMPTS && found.size() < count; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(LOWEST, ephemeralLow);
            if (!found.contains(candidate) && bindable(candidate)) {
                found.add(candidate);
            }
        }
        if (found.size() < count) {
            return new int[count];
        }
        return found.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int ephemeralLow() {
        try {
            return Integer.parseInt(Files.readString(EPHEMERAL_RANGE).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 0; // not Linux, or not readable: no range to stay out of
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
