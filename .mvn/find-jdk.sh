# Sourced by ./mvnw and ./dmctl: when JAVA_HOME is unset, point it at the newest JDK installed
# under /usr/lib/jvm (Debian's and Temurin's packages install there) whose feature version is at
# least $1. An explicit JAVA_HOME always wins. Plain sh and no process of its own: ./dmctl runs it
# on every start.
dm4j_find_jdk() {
  [ -z "${JAVA_HOME-}" ] || return 0
  _dm4j_best=0
  for _dm4j_jdk in /usr/lib/jvm/*; do
    [ -x "$_dm4j_jdk/bin/java" ] && [ -f "$_dm4j_jdk/release" ] || continue
    _dm4j_v=0
    while IFS='=' read -r _dm4j_key _dm4j_value; do
      if [ "$_dm4j_key" = JAVA_VERSION ]; then
        _dm4j_value=${_dm4j_value#\"}
        _dm4j_v=${_dm4j_value%%[!0-9]*}
      fi
    done <"$_dm4j_jdk/release"
    if [ "${_dm4j_v:-0}" -ge "$1" ] && [ "$_dm4j_v" -gt "$_dm4j_best" ]; then
      _dm4j_best=$_dm4j_v
      JAVA_HOME=$_dm4j_jdk
    fi
  done
  [ -z "${JAVA_HOME-}" ] || export JAVA_HOME
  unset _dm4j_best _dm4j_jdk _dm4j_v _dm4j_key _dm4j_value
}
