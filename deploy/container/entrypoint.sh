#!/bin/sh
# The one way Skyferry starts in a container. The Dockerfile's ENTRYPOINT, the Helm chart, App
# Service and the entrypoint test (ContainerEntrypointIT) all run this script, so what is tested is
# what ships.
#
#   entrypoint.sh                      -> skyferry run --config $SKYFERRY_CONFIG (the worker)
#   entrypoint.sh check --config F     -> any other skyferry command, passed through as given
#
# JVM flags: the defaults below suit a container (heap from the cgroup memory limit, die on OOM so
# the orchestrator restarts a clean process, temp files on the writable /tmp volume because the root
# filesystem is read-only, and native memory the JVM has freed handed back to the OS every 2 s:
# glibc keeps it otherwise, and after a large copy that was ~40 MiB of RSS the process no longer
# used; docs/benchmarks.md). JAVA_OPTS is appended, so a later -XX:MaxRAMPercentage=... overrides.
set -eu

# Not SKYFERRY_-prefixed: the app treats every SKYFERRY_* variable as a config override.
APP_JAR="${APP_JAR:-/app/skyferry.jar}"
# Same variable the app reads when --config is absent; the image's default path otherwise.
SKYFERRY_CONFIG="${SKYFERRY_CONFIG:-/etc/skyferry/skyferry.yaml}"
JVM_DEFAULTS="-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError -XX:TrimNativeHeapInterval=2000 -Djava.io.tmpdir=/tmp -Dfile.encoding=UTF-8"

if [ "$#" -eq 0 ]; then
  set -- run --config "$SKYFERRY_CONFIG"
fi

# exec: the JVM becomes PID 1 and receives SIGTERM itself, so the worker drains in-flight copies
# within worker.drainGrace instead of being killed when terminationGracePeriodSeconds runs out.
# The flag variables are unquoted on purpose: they hold several words.
# shellcheck disable=SC2086
exec java $JVM_DEFAULTS ${JAVA_OPTS:-} -jar "$APP_JAR" "$@"
