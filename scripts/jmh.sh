#!/usr/bin/env bash
# JMH engine benchmark: scripts/jmh.sh [JMH options], e.g. scripts/jmh.sh -p size=320x180,640x360 -prof gc
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
JAVA_HOME=$(scripts/find-java.sh); export JAVA_HOME
./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/jmh.classpath -Dmdep.includeScope=test >/dev/null
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dstreamsr.home="$root" \
  -cp "target/test-classes:target/classes:$(cat target/jmh.classpath)" org.openjdk.jmh.Main EngineJmh "$@"
