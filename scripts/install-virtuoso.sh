#!/usr/bin/env sh
# Install Virtuoso Open Source 7.2 from Debian for the Virtuoso tests (needs root or passwordless sudo).
#
# Only the binaries (virtuoso-opensource-7-bin: virtuoso-t and isql-vt, from the virtuoso-opensource
# source package). The full virtuoso-opensource package would also install and start a system-wide
# server on ports 1111 and 8890 with the default dba account; the tests start their own, on loopback
# with a temporary database, and stop it.
set -eu
if command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo -n"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends virtuoso-opensource-7-bin >/dev/null
command -v virtuoso-t && command -v isql-vt
