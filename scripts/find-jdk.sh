# Sourced by ./skyferry and ./run-tests: exports JAVA_HOME pointing at a JDK 21 or newer.
# Order: $JAVA_HOME if it is new enough, then the java on PATH, then the newest JDK under
# /usr/lib/jvm (where Debian and Temurin packages install), so nobody has to edit JAVA_HOME by hand.

skyferry_java_major() { # prints the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

skyferry_find_jdk() {
  local candidate major best="" best_major=0
  for candidate in ${JAVA_HOME:+"$JAVA_HOME"} \
                   "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")" \
                   /usr/lib/jvm/* /opt/java/openjdk; do
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(skyferry_java_major "$candidate/bin/java")
    [ -n "$major" ] && [ "$major" -ge 21 ] || continue
    # The first new-enough one in the order above wins; keep scanning only while none is found.
    if [ -z "$best" ]; then best=$candidate; best_major=$major; fi
  done
  if [ -z "$best" ]; then
    echo "skyferry: no JDK 21 or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm/*)." >&2
    echo "skyferry: install one, e.g. 'apt-get install temurin-25-jdk' or 'openjdk-21-jdk', or set JAVA_HOME." >&2
    return 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
  : "$best_major"
}
