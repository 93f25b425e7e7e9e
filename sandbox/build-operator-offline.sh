#!/usr/bin/env bash
# Builds the operator image without any image registry: a Debian bookworm minbase root (debootstrap, Debian
# packages) plus a Java runtime made with jlink from the build JDK, and target/sandbox-pool.jar.
# It gives the same image contract as the top-level Dockerfile (which needs Docker Hub):
#   user 65532:65532, WORKDIR /tmp, JAVA_TOOL_OPTIONS as there, ENTRYPOINT java -jar /opt/sandbox-pool/sandbox-pool.jar,
#   CMD operator, ports 8080 and 8081.
# Usage: sandbox/build-operator-offline.sh [IMAGE]   (default: sandboxpool/operator:latest)
# Needs target/sandbox-pool.jar (mvn package; ./sandboxpool operator-image builds it first). The image's label
# dev.sandboxpool.jar-sha256 names the jar it holds, so ./sandboxpool e2e rebuilds it only when the jar changed.
set -euo pipefail

image="${1:-sandboxpool/operator:latest}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
here="$(cd "$(dirname "$0")/.." && pwd)"
jar="$here/target/sandbox-pool.jar"
say() { echo "operator-image: $*" >&2; }

[ -f "$jar" ] || { say "$jar is missing: run mvn package (or ./sandboxpool operator-image)"; exit 1; }

# The JDK that builds the jar makes the runtime. Debian splits the jmods jlink needs into openjdk-17-jmods on some
# installs; install it when root, as build-offline.sh does with debootstrap.
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac || command -v java)")")")}"
need=()
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
[ -x "$java_home/bin/jlink" ] || need+=(openjdk-17-jdk-headless)
[ -f "$java_home/jmods/java.base.jmod" ] || need+=(openjdk-17-jmods)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${need[*]} (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; }
    java_home="${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
  else
    say "needed: ${need[*]} (apt-get install ...), or build the Dockerfile with a registry"
    exit 1
  fi
fi

work="$(mktemp -d /var/tmp/sandboxpool-operator-rootfs.XXXXXX)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

say "debootstrap bookworm minbase into $rootfs (about 40 s)"
# minbase brings glibc and zlib, which the runtime links against; nothing else of Debian is needed.
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2; exit 1; }
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*

# The modules the application uses: java.base plus what Micronaut/Netty (jdk.unsupported, java.management for
# metrics, java.naming), Fabric8 (java.net.http, jdk.crypto.ec for EC keys in kubeconfigs and TLS), Jackson/Logback
# (java.sql, java.xml, java.desktop for java.beans), Micrometer's JVM metrics (jdk.jfr: without it every HTTP
# request, the kubelet's probes too, failed with NoClassDefFoundError jdk/jfr/Event) and JOSDK need. A missing
# module shows only when the code runs. `jdeps --print-module-deps --ignore-missing-deps --multi-release 17` on the
# jar lists the statically needed ones (a minute and a half); service providers (jdk.crypto.ec, jdk.naming.dns,
# jdk.zipfs) and reflective users it cannot see are added by hand.
modules="java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.prefs,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.xml,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.naming.dns,jdk.unsupported,jdk.zipfs"
say "jlink runtime from $java_home ($modules)"
"$java_home/bin/jlink" --module-path "$java_home/jmods" --add-modules "$modules" \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output "$rootfs/opt/java"
ln -s /opt/java/bin/java "$rootfs/usr/local/bin/java"
mkdir -p "$rootfs/opt/sandbox-pool"
cp "$jar" "$rootfs/opt/sandbox-pool/sandbox-pool.jar"
chmod 1777 "$rootfs/tmp"

# The same JAVA_TOOL_OPTIONS as the Dockerfile (read from it, so the two cannot drift).
java_opts="$(sed -n 's/^ENV JAVA_TOOL_OPTIONS="\(.*\)"$/\1/p' "$here/Dockerfile")"
[ -n "$java_opts" ] || { say "no ENV JAVA_TOOL_OPTIONS line in $here/Dockerfile"; exit 1; }

say "importing as $image"
tar -C "$rootfs" -c . | docker import \
  --change "ENV JAVA_TOOL_OPTIONS=\"$java_opts\"" \
  --change 'ENV PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'USER 65532:65532' \
  --change 'WORKDIR /tmp' \
  --change 'EXPOSE 8080 8081' \
  --change 'LABEL dev.sandboxpool.image-contract=operator-v1' \
  --change "LABEL dev.sandboxpool.jar-sha256=$(sha256sum "$jar" | cut -d' ' -f1)" \
  --change 'ENTRYPOINT ["java", "-jar", "/opt/sandbox-pool/sandbox-pool.jar"]' \
  --change 'CMD ["operator"]' \
  - "$image" >/dev/null

# The image starts a JVM as 65532 with a read-only root, as the chart runs it. (A module missing from the runtime
# shows only when code needs it, and the operator cannot start without a cluster: the e2e tier is that check.)
version="$(docker run --rm --read-only --tmpfs /tmp --entrypoint java "$image" -version 2>&1)" || true
[[ "$version" == *'version "17'* ]] || { echo "$version" >&2; say "the image's java does not start"; exit 1; }
say "built $image"
