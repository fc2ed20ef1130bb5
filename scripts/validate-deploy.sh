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
docker-compose -f compose.yaml --profile replicas config -q
docker-compose -f compose.yaml -f ../deploy/aws/compose.aws.yaml --profile replicas config > /tmp/validate-deploy-aws.$$.yaml
docker-compose -f compose.yaml -f compose.tls.yaml config -q  # the TLS override
cd ..
yamllint -d '{extends: relaxed, rules: {line-length: {max: 120}}}' docker/compose.yaml \
  docker/compose.tls.yaml \
  docker/monitoring deploy
shellcheck docker/role-check.sh docker/sentinel-entrypoint.sh docker/engine-start.sh
python3 - /tmp/validate-deploy-aws.$$.yaml <<'PY'
# The replicas profile: what the default stack is, who replicates whom, one volume each.
import sys, yaml
problems = []
def need(cond, msg):
    if not cond:
        problems.append(msg)
svcs = yaml.safe_load(open("docker/compose.yaml"))["services"]
default = {n for n, s in svcs.items() if not s.get("profiles")}
need(default == {"engine", "snapshotter"}, f"default stack is engine + snapshotter, got {default}")
replicas = {n: s for n, s in svcs.items() if "replicas" in s.get("profiles", [])}
engines = {n: s for n, s in replicas.items() if n.startswith("engine-replica-")}
sentinels = {n: s for n, s in replicas.items() if n.startswith("sentinel-")}
need(len(engines) == 2 and len(sentinels) == 3, "replicas profile: 2 replicas + 3 sentinels")
def data_volume(s, mount):
    return [v.split(":")[0] for v in s.get("volumes", []) if v.split(":")[1] == mount]
seen = {data_volume(svcs["engine"], "/app/persistence")[0]}
need(svcs["engine"]["environment"].get("STRONGBOX_REPLICA_ANNOUNCE_IP") == "engine",
     "engine: announces its name (once a replica)")
for n, s in engines.items():
    need(s["command"] == ["strongbox-engine", "--replicaof", "engine", "6379"], n + ": --replicaof engine")
    need(s["healthcheck"]["test"] == ["CMD", "strongbox-role-check"], n + ": ROLE health check")
    need(s["depends_on"]["engine"]["condition"] == "service_healthy", n + ": waits for engine")
    need(s["environment"].get("STRONGBOX_REPLICA_ANNOUNCE_IP") == n, n + ": announces its name")
    need(any(o.startswith("seccomp=") for o in s["security_opt"]), n + ": io_uring seccomp")
    vol = data_volume(s, "/app/persistence")
    need(len(vol) == 1 and vol[0] not in seen, n + ": its own persistence volume")
    seen.update(vol)
for n, s in sentinels.items():
    need(s["command"] == ["strongbox-sentinel"], n + ": strongbox-sentinel")
    need(s["environment"]["SENTINEL_PRIMARY_HOST"] == "engine", n + ": monitors engine")
    need(s["environment"]["SENTINEL_ANNOUNCE_HOSTNAME"] == n, n + ": announces its name")
    peers = s["environment"]["SENTINEL_PEERS"].split()
    need(sorted(p.split(":")[0] for p in peers) == sorted(sentinels), n + ": peers")
    vol = data_volume(s, "/app/sentinel")
    need(len(vol) == 1 and vol[0] not in seen, n + ": its own config volume")
    seen.update(vol)
# Every engine has its snapshotter: on the engine's volume, its own archive, the same weights.
snaps = {n: s for n, s in svcs.items() if n.startswith("snapshotter")}
primary_snap = svcs["snapshotter"]
archives = {}
for n in ["engine"] + sorted(engines):
    vol = data_volume(svcs[n], "/app/persistence")[0]
    mine = [s for s in snaps.values() if data_volume(s, "/app/persistence") == [vol]]
    need(len(mine) == 1, f"{n}: one snapshotter on its volume {vol}")
    if len(mine) != 1:
        continue
    archive = data_volume(mine[0], "/app/persistence/archived")
    need(len(archive) == 1 and archive[0] not in seen, f"{n}'s snapshotter: its own archive volume")
    archives[n] = archive[0] if archive else ""
    seen.update(archive)
    for key in ("cpu_shares", "blkio_config", "cpus", "environment"):
        need(mine[0].get(key) == primary_snap.get(key), f"{n}'s snapshotter: {key} as the primary's")
aws = yaml.safe_load(open(sys.argv[1]))["volumes"]
for n in ["engine"] + sorted(engines):
    vol = data_volume(svcs[n], "/app/persistence")[0]
    need("gp3" in aws[vol]["driver_opts"]["device"], f"AWS: {n}'s volume {vol} on gp3")
    if archives.get(n):
        need("st1" in aws[archives[n]]["driver_opts"]["device"], f"AWS: {n}'s archive on st1")
if problems:
    print("validate-deploy: FAIL (compose):", *problems, sep="\n  ")
    sys.exit(1)
PY
rm -f /tmp/validate-deploy-aws.$$.yaml
python3 - <<'PY'
import json, sys, yaml
docs = []
for f in ["deploy/k8s/storageclasses.yaml", "deploy/k8s/statefulset.yaml", "deploy/k8s/service.yaml",
          "deploy/k8s/sentinel.yaml"]:
    docs += [(f, d) for d in yaml.safe_load_all(open(f)) if d]
problems = []
def need(cond, msg):
    if not cond:
        problems.append(msg)
named = {(d["kind"], d["metadata"]["name"]): d for _, d in docs}
for f, d in docs:
    need("apiVersion" in d and "kind" in d and "metadata" in d, f"{f}: apiVersion/kind/metadata")
for sc in (d for _, d in docs if d["kind"] == "StorageClass"):
    need(sc["provisioner"] == "ebs.csi.aws.com", "StorageClass provisioner")
    need(sc["parameters"]["type"] in ("gp3", "st1"), "StorageClass type")
ss = named.get(("StatefulSet", "strongbox"))
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
# Replication: N engine pods choosing their role at start, each with its own claims, and Sentinels.
env = {e["name"]: e for e in names["engine"]["env"]}
headless = named.get(("Service", ss["spec"]["serviceName"]), {}).get("spec", {})
need(headless.get("clusterIP") == "None" and headless.get("publishNotReadyAddresses") is True,
     "serviceName is a headless Service publishing not-ready pods")
need(ss["spec"]["replicas"] >= 3, "StatefulSet: a primary and at least two replicas")
need(names["engine"]["command"] == ["strongbox-engine-start"], "engine: role chosen at start")
need(env["STRONGBOX_SEED_PRIMARY"]["value"] == "strongbox-0." + ss["spec"]["serviceName"],
     "engine: seed primary is pod-0's headless DNS name")
need(names["engine"]["readinessProbe"]["exec"]["command"] == ["strongbox-role-check"],
     "engine: readiness by ROLE")
need({"POD_IP", "POD_NAME"} <= set(env), "engine: POD_IP/POD_NAME from the downward API")
need(env.get("STRONGBOX_REPLICA_ANNOUNCE_IP", {}).get("value") == "$(POD_NAME)." + ss["spec"]["serviceName"]
     and list(env).index("POD_NAME") < list(env).index("STRONGBOX_REPLICA_ANNOUNCE_IP"),
     "engine: announces its headless DNS name (after POD_NAME, for $(POD_NAME) to expand)")
sen = named.get(("StatefulSet", "strongbox-sentinel"))
need(sen is not None and sen["spec"]["replicas"] == 3, "three Sentinels")
sen_svc = named.get(("Service", sen["spec"]["serviceName"]), {}).get("spec", {})
need(sen_svc.get("clusterIP") == "None", "Sentinel headless Service")
sen_c = sen["spec"]["template"]["spec"]["containers"][0]
sen_env = {e["name"]: e.get("value") for e in sen_c["env"]}
need(sen_c["command"] == ["strongbox-sentinel"], "Sentinel command")
need(sen_env["SENTINEL_PRIMARY_HOST"] == env["STRONGBOX_SEED_PRIMARY"]["value"], "Sentinel monitors pod-0")
sen_peers = sorted(p.split(".")[0] for p in sen_env["SENTINEL_PEERS"].split())
need(sen_peers == [f"strongbox-sentinel-{i}" for i in range(3)], "Sentinel peers")
need(sorted(env["STRONGBOX_SENTINELS"]["value"].split()) == sorted(sen_env["SENTINEL_PEERS"].split()),
     "engine asks the same Sentinels")
need(sen_c["securityContext"]["readOnlyRootFilesystem"] is True, "Sentinel readOnlyRootFilesystem")
need([m["mountPath"] for m in sen_c["volumeMounts"] if m["name"] == "sentinel"] == [sen_env["SENTINEL_DIR"]]
     and sen["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "sentinel",
     "Sentinel config on its own claim")
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
