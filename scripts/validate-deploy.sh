#!/usr/bin/env bash
# Validates the deployment files with tools, not by eye: docker-compose config (base and AWS
# override), yamllint, and a schema-level check of the Kubernetes manifests (kinds, required
# fields, the security settings we rely on).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in docker-compose yamllint; do
  command -v "$tool" >/dev/null || { echo "validate-deploy: $tool missing (scripts/install-deps.sh)"; exit 1; }
done
cd docker
docker-compose -f compose.yaml config -q
docker-compose -f compose.yaml --profile monitoring config -q 2>/dev/null || docker-compose -f compose.yaml config -q
docker-compose -f compose.yaml -f ../deploy/aws/compose.aws.yaml config -q
docker-compose -f compose.yaml -f compose.tls.yaml config -q  # the TLS override
cd ..
yamllint -d '{extends: relaxed, rules: {line-length: {max: 120}}}' docker/compose.yaml \
  docker/compose.tls.yaml \
  docker/monitoring deploy
python3 - <<'PY'
import json, sys, yaml
docs = []
for f in ["deploy/k8s/storageclasses.yaml", "deploy/k8s/statefulset.yaml", "deploy/k8s/service.yaml"]:
    docs += [(f, d) for d in yaml.safe_load_all(open(f)) if d]
problems = []
def need(cond, msg):
    if not cond:
        problems.append(msg)
kinds = {d["kind"]: d for _, d in docs}
for f, d in docs:
    need("apiVersion" in d and "kind" in d and "metadata" in d, f"{f}: apiVersion/kind/metadata")
for sc in (d for _, d in docs if d["kind"] == "StorageClass"):
    need(sc["provisioner"] == "ebs.csi.aws.com", "StorageClass provisioner")
    need(sc["parameters"]["type"] in ("gp3", "st1"), "StorageClass type")
ss = kinds.get("StatefulSet")
need(ss is not None, "StatefulSet present")
spec = ss["spec"]["template"]["spec"]
names = {c["name"]: c for c in spec["containers"]}
need(set(names) == {"engine", "snapshotter"}, "two containers")
need(spec["securityContext"]["runAsNonRoot"] is True, "runAsNonRoot")
for c in names.values():
    sc = c["securityContext"]
    need(sc["readOnlyRootFilesystem"] is True, c["name"] + ": readOnlyRootFilesystem")
    need(sc["capabilities"]["drop"] == ["ALL"], c["name"] + ": drop ALL")
    need("livenessProbe" in c and "readinessProbe" in c, c["name"] + ": probes")
need(names["engine"]["securityContext"]["seccompProfile"]["type"] == "Localhost",
     "engine seccomp Localhost")
mounts = {c: {m["name"] for m in names[c]["volumeMounts"]} for c in names}
need("persistence" in mounts["engine"] and "archive" not in mounts["engine"], "engine mounts")
need({"persistence", "archive"} <= mounts["snapshotter"], "snapshotter mounts")
claims = {t["metadata"]["name"]: t["spec"]["storageClassName"] for t in ss["spec"]["volumeClaimTemplates"]}
need(claims == {"persistence": "strongbox-gp3", "archive": "strongbox-st1"}, "claims gp3/st1")
tls = yaml.safe_load(open("deploy/k8s/tls-patch.yaml"))["spec"]["template"]["spec"]
tls_engine = {c["name"]: c for c in tls["containers"]}["engine"]
need({v["name"]: v for v in tls["volumes"]}["tls"]["secret"]["secretName"] == "strongbox-tls",
     "TLS patch: the strongbox-tls Secret")
tls_mount = {m["name"]: m["mountPath"] for m in tls_engine["volumeMounts"]}["tls"]
tls_env = {e["name"]: e["value"] for e in tls_engine["env"]}
need(all(tls_env[f"STRONGBOX_TLS_{k}_FILE"].startswith(tls_mount + "/") for k in ("CERT", "KEY", "CA_CERT")),
     "TLS patch: the files are in the Secret's mount")
json.load(open("docker/monitoring/grafana/dashboards/strongbox.json"))
json.load(open("docker/seccomp-iouring.json"))
if problems:
    print("validate-deploy: FAIL:", *problems, sep="\n  ")
    sys.exit(1)
print("validate-deploy: ok")
PY
