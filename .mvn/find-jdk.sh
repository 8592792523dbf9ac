# Sourced by ./mvnw and ./dmctl: when JAVA_HOME is unset, point it at the newest JDK installed
# under /usr/lib/jvm (Debian's and Temurin's packages install there) whose feature version is at
# least $1. An explicit JAVA_HOME always wins.
dm4j_find_jdk() {
  [ -z "${JAVA_HOME-}" ] || return 0
  _dm4j_best=0
  for _dm4j_jdk in /usr/lib/jvm/*; do
    [ -x "$_dm4j_jdk/bin/java" ] && [ -f "$_dm4j_jdk/release" ] || continue
    _dm4j_v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$_dm4j_jdk/release")
    if [ "${_dm4j_v:-0}" -ge "$1" ] && [ "$_dm4j_v" -gt "$_dm4j_best" ]; then
      _dm4j_best=$_dm4j_v
      JAVA_HOME=$_dm4j_jdk
    fi
  done
  [ -z "${JAVA_HOME-}" ] || export JAVA_HOME
  unset _dm4j_best _dm4j_jdk _dm4j_v
}
