#!/usr/bin/env bash
# Regenerates docker/seccomp-iouring.json: the default seccomp profile of Debian's
# containers-common (/usr/share/containers/seccomp.json, what Podman uses; Docker's default
# is the same lineage) plus exactly io_uring_setup, io_uring_enter and io_uring_register in
# its plain allow list. Everything else the default forbids stays forbidden.
set -euo pipefail
src=${1:-/usr/share/containers/seccomp.json}
dst=$(dirname "$0")/seccomp-iouring.json
[ -f "$src" ] || { echo "missing $src: apt-get install containers-common" >&2; exit 1; }
python3 - "$src" "$dst" <<'PY'
import json, sys
src, dst = sys.argv[1], sys.argv[2]
profile = json.load(open(src))
wanted = ["io_uring_setup", "io_uring_enter", "io_uring_register"]
# Remove them from any rule (the default lists them under an errno rule), then allow them in
# the first plain SCMP_ACT_ALLOW rule without conditions.
for rule in profile["syscalls"]:
    rule["names"] = [n for n in rule.get("names", []) if n not in wanted]
profile["syscalls"] = [r for r in profile["syscalls"] if r.get("names")]
for rule in profile["syscalls"]:
    if rule.get("action") == "SCMP_ACT_ALLOW" and not rule.get("args") and \
            not rule.get("includes") and not rule.get("excludes"):
        rule["names"] = sorted(set(rule["names"]) | set(wanted))
        break
else:
    raise SystemExit("no unconditional allow rule found in " + src)
json.dump(profile, open(dst, "w"), indent=1)
print("wrote", dst)
PY
