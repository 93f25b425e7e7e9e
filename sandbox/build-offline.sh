#!/usr/bin/env bash
# Builds the sandbox image without any image registry: a Debian bookworm root
# filesystem from Debian packages (debootstrap), imported into Docker.
# It gives the same image contract as sandbox/Dockerfile:
#   python3 with the full standard library, sandboxpool-python3 (an execute-only copy of it), user 65534,
#   work dir /workspace.
# Usage: sandbox/build-offline.sh [IMAGE]   (default: sandboxpool/python:latest)
set -euo pipefail

image="${1:-${SANDBOX_IMAGE:-sandboxpool/python:latest}}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
here="$(cd "$(dirname "$0")" && pwd)"

if ! command -v debootstrap >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "sandbox: installing debootstrap (apt-get)"
    apt-get install -y -qq debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
  else
    echo "sandbox: debootstrap is needed to build the image offline (apt-get install debootstrap), or build sandbox/Dockerfile with a registry" >&2
    exit 1
  fi
fi

work="$(mktemp -d /var/tmp/sandboxpool-rootfs.XXXXXX)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

echo "sandbox: debootstrap bookworm with python3 into $rootfs (about 40 s)"
# python3, not python3-minimal: the minimal package lacks most of the standard library (json, ...).
debootstrap --variant=minbase --include=python3 bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2; exit 1; }

# Nothing the sandbox needs at run time: package caches and lists.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*
mkdir -p "$rootfs/workspace"
chmod 1777 "$rootfs/workspace"
# The interpreter every process of the product runs in (runner, init, probes): an execute-only copy of python3. The
# kernel makes a process started from a file its user cannot read non-dumpable from its first instruction, so user
# code (the same uid) can never ptrace it or open its /proc files, not even while it starts (docs/isolation.md).
cp "$rootfs/usr/bin/python3.11" "$rootfs/usr/bin/sandboxpool-python3"
chown 0:0 "$rootfs/usr/bin/sandboxpool-python3"
chmod 0711 "$rootfs/usr/bin/sandboxpool-python3"

"$rootfs/usr/bin/python3" --version >/dev/null 2>&1 || chroot "$rootfs" python3 -c 'import json, subprocess, resource' 

echo "sandbox: importing as $image"
tar -C "$rootfs" -c . | docker import \
  --change 'USER 65534:65534' \
  --change 'WORKDIR /workspace' \
  --change 'ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HOME=/workspace LANG=C.UTF-8' \
  --change "LABEL dev.sandboxpool.image-contract=v2" \
  --change 'CMD ["python3", "-c", "import time\nwhile True: time.sleep(3600)"]' \
  - "$image" >/dev/null

docker run --rm --network none "$image" sandboxpool-python3 -I -c 'import ctypes, json, sys
assert ctypes.CDLL(None).prctl(3, 0, 0, 0, 0) == 0, "sandboxpool-python3 is readable: it must be execute-only"
print("sandbox image ok", sys.version.split()[0])'
