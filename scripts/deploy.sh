#!/usr/bin/env bash
# Deploy gym-call-agent to k3s (Raspberry Pi): build the arm64 image with a versioned tag, import it into k3s'
# containerd, apply the kustomize overlay with that tag, wait for the rollout, then remove this app's old images
# beyond the last N so the disk never fills. Replaces deploy.sh and nuke_and_deploy.sh: nothing here restarts
# k3s or prunes other applications' images. Run it on the Pi (native arm64 build) or pass --image-tar built
# elsewhere. See docs/operations.md.
#
#   scripts/deploy.sh [--dry-run] [--overlay pi|scale-out] [--tag TAG] [--image-tar FILE] [--keep N]
#                     [--timeout SECONDS] [--allow-example-host]
#
# Environment overrides (for other layouts and for tests): DOCKER, K3S, KUBECTL, SUDO, K3S_DATA_DIR.
set -euo pipefail

IMAGE_REPO=localhost/gym-agent
NAMESPACE=gym-agent
DEPLOYMENT=gym-agent
SECRET=gym-agent-secrets
overlay=pi
tag=''
image_tar=''
keep=3
timeout=900
dry_run=0
allow_example=0

DOCKER=${DOCKER:-docker}
K3S=${K3S:-k3s}
KUBECTL=${KUBECTL:-kubectl}
K3S_DATA_DIR=${K3S_DATA_DIR:-/var/lib/rancher/k3s}
if [ -z "${SUDO+x}" ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=''; else SUDO=sudo; fi
fi

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }
die() {
  printf 'deploy: %s\n' "$1" >&2
  [ -n "${2:-}" ] && printf 'deploy: runbook: docs/operations.md, "%s"\n' "$2" >&2
  exit 1
}
step() { printf '\n==> %s\n' "$*"; }
# Prints every command; runs it unless --dry-run.
run() {
  printf '+ %s\n' "$*"
  [ "$dry_run" -eq 1 ] || "$@"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --overlay) overlay=${2:?--overlay needs a name}; shift ;;
    --tag) tag=${2:?--tag needs a value}; shift ;;
    --image-tar) image_tar=${2:?--image-tar needs a file}; shift ;;
    --keep) keep=${2:?--keep needs a number}; shift ;;
    --timeout) timeout=${2:?--timeout needs seconds}; shift ;;
    --allow-example-host) allow_example=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done

cd "$(dirname "$0")/.."
[[ "$keep" =~ ^[1-9][0-9]*$ ]] || die "--keep must be a positive number"
[[ "$timeout" =~ ^[1-9][0-9]*$ ]] || die "--timeout must be seconds"
[ -f "k8s/overlays/$overlay/kustomization.yaml" ] || die "no overlay k8s/overlays/$overlay"

# Versioned tag: package version, UTC build time (orders the tags for pruning), commit.
if [ -z "$tag" ]; then
  version=$(sed -nE 's/^  "version": *"([^"]+)".*/\1/p' package.json | head -1)
  sha=$(git rev-parse --short=7 HEAD 2>/dev/null || echo nogit)
  dirty=''
  git diff --quiet HEAD 2>/dev/null || dirty='-dirty'
  tag="${version}-$(date -u +%Y%m%d%H%M%S)-${sha}${dirty}"
fi
[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "invalid image tag: $tag"
[ "$tag" != latest ] || die "refusing the tag 'latest': pin a version"
image="$IMAGE_REPO:$tag"
work=$(mktemp -d)
# The generated kustomization sits next to the overlays so it refers to one by a plain relative path.
kdir=$(mktemp -d "k8s/overlays/.deploy-XXXXXX")
trap 'rm -rf "$work" "$kdir"' EXIT
[ "$dry_run" -eq 1 ] && echo "deploy: DRY RUN: printing every step, changing nothing"
echo "deploy: image $image, overlay $overlay, keeping the last $keep images"

# ---- 1. preflight: cluster reachable, containerd up, Secret present ----
step "preflight"
run "$KUBECTL" version --client=false
run $SUDO "$K3S" ctr version || die "k3s containerd is not answering" "containerd unavailable"
run "$KUBECTL" -n "$NAMESPACE" get secret "$SECRET" -o name ||
  die "Secret $SECRET missing in namespace $NAMESPACE (create it from k8s/secret.template.yaml)" "First deployment"

# ---- 2. build the arm64 image (or take a prebuilt archive) ----
step "build $image (linux/arm64)"
if [ -n "$image_tar" ]; then
  [ "$dry_run" -eq 1 ] || [ -f "$image_tar" ] || die "no such file: $image_tar"
  echo "using prebuilt archive $image_tar (its image must be tagged $image)"
else
  image_tar="$work/gym-agent-$tag.tar"
  run "$DOCKER" buildx build --platform linux/arm64 --tag "$image" \
    --output "type=docker,dest=$image_tar" .
fi

# ---- 3. import into k3s containerd, after making sure it fits on the disk ----
list_ours() {
  # Only tags this script made (VERSION-YYYYmmddHHMMSS-SHA), oldest first; anything else is never pruned.
  $SUDO "$K3S" ctr -n k8s.io images ls -q |
    sed -nE "s#^(${IMAGE_REPO}:.*-([0-9]{14})-[0-9a-z]+(-dirty)?)\$#\2 \1#p" | sort | cut -d' ' -f2
}
in_use() {
  "$KUBECTL" get pods -A -o jsonpath='{range .items[*]}{range .spec.containers[*]}{.image}{"\n"}{end}{end}'
  # ReplicaSets kept for `kubectl rollout undo` still need their images.
  "$KUBECTL" -n "$NAMESPACE" get rs -o jsonpath='{range .items[*]}{range .spec.template.spec.containers[*]}{.image}{"\n"}{end}{end}'
}
prune() { # $1 = how many of ours to keep
  local keep_n=$1 used all remove=()
  used=$(in_use | sort -u)
  mapfile -t all < <(list_ours)
  local n=${#all[@]}
  for ((i = 0; i < n - keep_n; i++)); do
    grep -qxF "${all[$i]}" <<<"$used" || remove+=("${all[$i]}")
  done
  if [ ${#remove[@]} -eq 0 ]; then
    echo "nothing to prune (${n} image(s) of ours, keeping ${keep_n} and any in use)"
  else
    run $SUDO "$K3S" ctr -n k8s.io images rm "${remove[@]}"
  fi
}
free_kb() { df -Pk "$K3S_DATA_DIR" | awk 'NR == 2 { print $4 }'; }

step "import into k3s containerd"
if [ "$dry_run" -eq 1 ]; then
  echo "+ check: free space in $K3S_DATA_DIR >= 2 x image archive + 512 MiB (else prune first)"
else
  need_kb=$(($(du -k "$image_tar" | cut -f1) * 2 + 512 * 1024))
  if [ "$(free_kb)" -lt "$need_kb" ]; then
    echo "deploy: low disk space in $K3S_DATA_DIR; pruning our old images first"
    prune $((keep > 1 ? keep - 1 : 1))
    [ "$(free_kb)" -ge "$need_kb" ] ||
      die "only $(free_kb) KiB free in $K3S_DATA_DIR, need $need_kb KiB for the import" "Disk full"
  fi
fi
run $SUDO "$K3S" ctr -n k8s.io images import "$image_tar" || die "image import failed" "containerd unavailable"
if [ "$dry_run" -eq 0 ]; then
  $SUDO "$K3S" ctr -n k8s.io images ls -q | grep -qxF "$image" ||
    die "$image is not in containerd after the import (was the archive tagged $image?)" "ImagePullBackOff"
fi

# ---- 4. apply the overlay with the new tag ----
step "apply k8s/overlays/$overlay with $image"
cat >"$kdir/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../$overlay
images:
  - name: $IMAGE_REPO
    newTag: "$tag"
EOF
sed 's/^/  | /' "$kdir/kustomization.yaml"
if [ "$dry_run" -eq 0 ]; then
  "$KUBECTL" kustomize "$kdir" >"$work/rendered.yaml"
  if [ "$allow_example" -eq 0 ] && grep -q 'example\.com' "$work/rendered.yaml"; then
    die "the manifests still say example.com: set your host in k8s/overlays/$overlay (or --allow-example-host)"
  fi
fi
run "$KUBECTL" apply -k "$kdir"

# ---- 5. wait for the rollout (the old pod drains its calls first: up to SHUTDOWN_GRACE_MS) ----
step "wait for the rollout (up to ${timeout}s)"
if ! run "$KUBECTL" -n "$NAMESPACE" rollout status "deployment/$DEPLOYMENT" --timeout="${timeout}s"; then
  "$KUBECTL" -n "$NAMESPACE" get pods -l app.kubernetes.io/name=gym-agent -o wide || true
  "$KUBECTL" -n "$NAMESPACE" get events --sort-by=.lastTimestamp | tail -20 || true
  die "rollout did not complete; old images were kept (undo: kubectl -n $NAMESPACE rollout undo deployment/$DEPLOYMENT)" "ImagePullBackOff"
fi

# ---- 6. remove this app's images beyond the last N (never one in use) ----
step "prune old gym-agent images (keep the last $keep)"
if [ "$dry_run" -eq 1 ]; then
  echo "+ ${SUDO:+$SUDO }$K3S ctr -n k8s.io images rm <images of $IMAGE_REPO older than the last $keep, not used by any pod or ReplicaSet>"
  echo
  echo "deploy: dry run complete; nothing was changed"
else
  prune "$keep"
  echo
  echo "deploy: $image is live"
fi
