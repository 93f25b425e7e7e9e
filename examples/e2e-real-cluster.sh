#!/usr/bin/env bash
# End to end on a local Kubernetes cluster (kind, k3d or minikube): builds the operator and sandbox images, loads
# them into the cluster's nodes, installs helm/sandbox-pool, applies examples/python-pool.yaml, waits until the pool
# is Ready, and runs code through the lease API over a port-forward.
#
#   examples/e2e-real-cluster.sh              # the cluster of the current kubectl context
#   CLEANUP=1 examples/e2e-real-cluster.sh    # and remove the pool and the release at the end
#
# Needs docker, kubectl, helm, curl, and the CLI of the cluster (kind, k3d or minikube). Settings (environment):
#   NS (sandbox-pool-system), TAG (e2e), SANDBOX_BUILD=offline (build the sandbox image with sandbox/build-offline.sh
#   instead of sandbox/Dockerfile, for machines without Docker Hub), PORT (18080, the local end of the port-forward).
set -euo pipefail
cd "$(dirname "$0")/.."

NS="${NS:-sandbox-pool-system}"
TAG="${TAG:-e2e}"
PORT="${PORT:-18080}"
OPERATOR_IMAGE="sandboxpool/operator:$TAG"
SANDBOX_IMAGE="sandboxpool/python:$TAG"

say() { echo "e2e: $*" >&2; }
die() { say "$*"; exit 1; }
for tool in docker kubectl helm curl; do
  command -v "$tool" >/dev/null || die "$tool is needed"
done

context="$(kubectl config current-context)" || die "no current kubectl context: create a cluster first"
case "$context" in
  kind-*) load() { kind load docker-image "$1" --name "${context#kind-}"; } ;;
  k3d-*) load() { k3d image import "$1" -c "${context#k3d-}"; } ;;
  minikube) load() { minikube image load "$1"; } ;;
  *) die "context $context is not kind-*, k3d-* or minikube: push the images to a registry instead (docs/install.md)" ;;
esac
say "cluster: $context, namespace $NS"

say "building $OPERATOR_IMAGE (Dockerfile) and $SANDBOX_IMAGE"
docker build -t "$OPERATOR_IMAGE" .
if [ "${SANDBOX_BUILD:-}" = offline ]; then
  sandbox/build-offline.sh "$SANDBOX_IMAGE"
else
  docker build -t "$SANDBOX_IMAGE" sandbox/
fi
say "loading the images into the cluster's nodes"
load "$OPERATOR_IMAGE"
load "$SANDBOX_IMAGE"

say "installing the chart"
helm upgrade --install sandbox-pool helm/sandbox-pool --namespace "$NS" --create-namespace \
  --set image.repository=sandboxpool/operator --set-string image.tag="$TAG" --set image.pullPolicy=Never \
  --set sandboxImage="$SANDBOX_IMAGE" --wait --timeout 5m
kubectl -n "$NS" rollout status deployment/sandbox-pool --timeout=5m

say "applying examples/python-pool.yaml with image $SANDBOX_IMAGE"
sed "s|sandboxpool/python:latest|$SANDBOX_IMAGE|" examples/python-pool.yaml | kubectl -n "$NS" apply -f -
if ! kubectl -n "$NS" wait sandboxpool/python --for=condition=Ready --timeout=5m; then
  kubectl -n "$NS" get sandboxpool python -o yaml >&2
  kubectl -n "$NS" get pods -l sandboxpool.dev/pool=python -o wide >&2
  die "the pool did not become Ready"
fi
kubectl -n "$NS" get sandboxpools
kubectl -n "$NS" get pods -l sandboxpool.dev/pool=python -L sandboxpool.dev/state

say "checking the hardening of a member pod"
pod="$(kubectl -n "$NS" get pods -l sandboxpool.dev/pool=python -o jsonpath='{.items[0].metadata.name}')"
[ "$(kubectl -n "$NS" get pod "$pod" -o jsonpath='{.spec.containers[0].securityContext.readOnlyRootFilesystem}')" = true ] \
  || die "pod $pod: the root filesystem is writable"
[ "$(kubectl -n "$NS" exec "$pod" -- python3 -c 'import os; print(os.getuid())')" = 65534 ] \
  || die "pod $pod: the sandbox does not run as 65534"

say "running code through the API (port-forward to svc/sandbox-pool on localhost:$PORT)"
token="$(kubectl -n "$NS" get secret sandbox-pool-api-token -o jsonpath='{.data.token}' | base64 -d)"
kubectl -n "$NS" port-forward svc/sandbox-pool "$PORT:8080" >/dev/null 2>&1 &
forward=$!
trap 'kill $forward 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -s -o /dev/null "localhost:$PORT/health/readiness" && break
  sleep 0.2
done
answer="$(curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  "localhost:$PORT/v1/pools/python/executions" -d '{"code":"print(6*7)"}')"
echo "$answer"
case "$answer" in
  *'"stdout":"42\n"'*) say "PASS: the pool ran print(6*7) in a warm pod" ;;
  *) die "FAIL: unexpected answer" ;;
esac
curl -s -H "Authorization: Bearer $token" "localhost:$PORT/v1/pools/python" && echo

if [ "${CLEANUP:-}" = 1 ]; then
  say "removing the pool and the release"
  kubectl -n "$NS" delete sandboxpool python --wait
  helm uninstall sandbox-pool -n "$NS"
else
  say "left installed; remove with: kubectl -n $NS delete sandboxpool python && helm uninstall sandbox-pool -n $NS"
fi
