package dev.skyferry.testkit;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** Stops a child process together with everything it started. */
final class ProcessTrees {

    private static final long GRACE_MILLIS = 5_000;

    private ProcessTrees() {
    }

    /** SIGTERM to the process and its descendants, then SIGKILL to whatever outlives the grace period. */
    static void kill(ProcessHandle root) {
        List<ProcessHandle> tree = new java.util.ArrayList<>(root.descendants().toList());
        tree.add(root);
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle process : tree) {
            try {
                process.onExit().get(GRACE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                // Ignored on purpose: whatever did not exit in time is killed below.
            }
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
