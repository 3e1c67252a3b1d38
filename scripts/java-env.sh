# Sourced by ./vmaddr and ./scripts/test: finds a JDK 25 and exports JAVA_HOME.
# Order: $JAVA_HOME if it is 25+, then JDKs under /usr/lib/jvm, then `java` on PATH.
vmaddr_java_major() {
    # The JDK's release file names its version (JAVA_VERSION="25.0.3"): reading it costs nothing, where
    # asking `java` started a JVM on every ./vmaddr run (0.1-0.6 s before the server even began).
    local v
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null || true)
    if [ -n "$v" ]; then
        echo "$v"
        return
    fi
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}
vmaddr_find_jdk25() {
    local candidate major
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/* \
                     "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
        [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
        major=$(vmaddr_java_major "$candidate")
        if [ -n "$major" ] && [ "$major" -ge 25 ] 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}
if ! JAVA_HOME=$(vmaddr_find_jdk25); then
    echo "vmaddr: no JDK 25 found (looked at \$JAVA_HOME, /usr/lib/jvm/*, java on PATH)." >&2
    echo "vmaddr: install one (e.g. Temurin 25 into /usr/lib/jvm/temurin-25-jdk-amd64) or set JAVA_HOME to it." >&2
    exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
