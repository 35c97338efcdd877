#!/usr/bin/env bash
# Prints the home of a JDK 21 or newer: $JAVA_HOME, the java on PATH, then /usr/lib/jvm/*.
# Exits 1 with nothing printed when there is none.
set -u
version_of() {
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
  echo "${v%%.*}"
}
candidates=()
[ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
if command -v java >/dev/null 2>&1; then
  candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
fi
for d in /usr/lib/jvm/*; do [ -d "$d" ] && [ ! -L "$d" ] && candidates+=("$d"); done
for home in "${candidates[@]}"; do
  if [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ]; then
    v=$(version_of "$home")
    if [ -n "$v" ] && [ "$v" -ge 21 ] 2>/dev/null; then
      echo "$home"
      exit 0
    fi
  fi
done
exit 1
