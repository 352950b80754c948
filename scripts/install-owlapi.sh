#!/usr/bin/env sh
# Install Debian's OWL API (libowlapi-java) for the OWL 2 DL profile test of the ontology (needs root
# or passwordless sudo). Java 17 and javac come with the JDK the reasoner test already uses.
set -eu
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo -n"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends libowlapi-java >/dev/null
test -f /usr/share/java/owlapi-distribution.jar
