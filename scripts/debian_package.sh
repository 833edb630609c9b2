#!/usr/bin/env bash
# Sourced by the scripts: install a Debian package when its command is missing (needs root and
# apt-get; otherwise say what is missing and let the caller decide).
#   ensure_debian_package COMMAND PACKAGE WHY
ensure_debian_package() {
  local command=$1 package=$2 why=$3
  command -v "$command" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing $package (Debian package) for $why"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
  else
    echo "$command is missing and cannot be installed here (needs root and apt-get): $why" >&2
    return 1
  fi
}
