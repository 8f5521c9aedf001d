package dev.skyferry.identity.check;

import java.util.Objects;

/**
 * One row of {@code skyferry check}: what was checked, against what, the outcome, what was seen, and
 * — when it failed in a known way — what to change. Never carries a token or key.
 *
 * @param check  e.g. "entra token", "sts exchange", "blob write", "sqs receive"
 * @param target e.g. the scope, role ARN, container or queue URL
 * @param detail what was seen (claims, ARN, error), one line
 * @param hint   the remediation for a known failure, or null
 */
public record CheckResult(String check, String target, Status status, String detail, String hint) {

    public enum Status {
        PASS,
        FAIL,
        /** Not probed, with the reason in detail (e.g. it would consume or leave messages). Not a failure. */
        SKIPPED
    }

    public CheckResult {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(status, "status");
    }

    public static CheckResult pass(String check, String target, String detail) {
        return new CheckResult(check, target, Status.PASS, detail, null);
    }

    public static CheckResult fail(String check, String target, String detail, String hint) {
        return new CheckResult(check, target, Status.FAIL, detail, hint);
    }

    public static CheckResult skipped(String check, String target, String reason) {
        return new CheckResult(check, target, Status.SKIPPED, reason, null);
    }

    public boolean failed() {
        return status == Status.FAIL;
    }
}
