#!/usr/bin/env bash
# System packages the test suite needs: Debian's Chromium (browser tests), PostgreSQL (store
# tests) and nginx (the multi-process deployment tests, deploy/). Installs only what is
# missing; needs root (or sudo) on a new machine. The tests run their own nginx on a loopback
# port; the system nginx service is not needed.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
