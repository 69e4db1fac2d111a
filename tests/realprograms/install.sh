#!/bin/sh
# Prerequisites of the real-program tests (tests/realprograms/build.sh): Debian source packages
# (deb-src entries, dpkg-dev for `apt-get source`) and tclsh (sqlite's build generates its
# amalgamation and shell.c with it). Idempotent: apt-get update runs only when something is missing.
# Run as root on Debian 12 (bookworm).
set -eu

SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

have_deb_src() {
  # apt-cache showsrc prints nothing (or fails) when no deb-src entry knows the package.
  apt-cache showsrc bzip2 2>/dev/null | grep -q '^Package: bzip2'
}

need_update=0
if ! have_deb_src; then
  echo "realprograms/install.sh: adding deb-src entries"
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    # deb822 format (Debian 12 default): the same stanzas with Types: deb-src.
    sed -n '/^Types:/,$p' /etc/apt/sources.list.d/debian.sources |
      sed 's/^Types:.*/Types: deb-src/' |
      $SUDO tee /etc/apt/sources.list.d/corowasm-deb-src.sources >/dev/null
  else
    # one-line format
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      grep -E '^deb[[:space:]]' | grep -E 'debian' | sed 's/^deb[[:space:]]/deb-src /' | sort -u |
      $SUDO tee /etc/apt/sources.list.d/corowasm-deb-src.list >/dev/null
  fi
  need_update=1
fi

pkgs=
command -v dpkg-source >/dev/null 2>&1 || pkgs="$pkgs dpkg-dev"
command -v tclsh >/dev/null 2>&1 || pkgs="$pkgs tcl"
command -v xz >/dev/null 2>&1 || pkgs="$pkgs xz-utils"
if [ -n "$pkgs" ]; then need_update=1; fi

if [ "$need_update" = 1 ]; then
  $SUDO apt-get update -qq
fi
if ! have_deb_src; then
  echo "realprograms/install.sh: deb-src entries still not usable" >&2
  exit 1
fi
if [ -n "$pkgs" ]; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $pkgs
fi
echo "realprograms/install.sh: ok"
