#!/usr/bin/env python3
"""Checks the cluster recipes in cluster/ without a cluster: the Kubernetes manifests parse
and agree with each other (the shard arguments K/N use N = completions, every $(VAR) is
defined, the volumes and claims match, the merge expects as many shards as the Job runs),
and the Slurm scripts' --array range matches their SHARDS.

Usage: python3 cluster/check_cluster_files.py
Needs: pip install pyyaml. Exits 0 and prints "cluster files ok" when every check passes.
"""
import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def fail(msg):
    print(f"cluster files: {msg}", file=sys.stderr)
    sys.exit(1)


def env_of(container):
    return {e["name"]: e for e in container.get("env", [])}


def expand(text, values):
    """Kubernetes' $(VAR) expansion."""
    return re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: values[m.group(1)], text)


def check_kubernetes():
    docs = list(yaml.safe_load_all((HERE / "kubernetes/contractsim-indexed-job.yaml").read_text()))
    merge_docs = list(yaml.safe_load_all((HERE / "kubernetes/contractsim-merge-job.yaml").read_text()))
    docs = [d for d in docs if d]
    merge_docs = [d for d in merge_docs if d]
    kinds = {(d["kind"], d["metadata"]["name"]): d for d in docs + merge_docs}
    pvc = kinds.get(("PersistentVolumeClaim", "contractsim-work"))
    job = kinds.get(("Job", "contractsim-shards"))
    merge = kinds.get(("Job", "contractsim-merge"))
    if not (pvc and job and merge):
        fail(f"expected the PVC contractsim-work and the Jobs contractsim-shards and contractsim-merge, found {list(kinds)}")
    if "ReadWriteMany" not in pvc["spec"]["accessModes"]:
        fail("the work volume must be ReadWriteMany: pods on several nodes write to it")

    spec = job["spec"]
    n = spec["completions"]
    if spec.get("completionMode") != "Indexed" or not isinstance(n, int) or n < 1:
        fail("contractsim-shards must be an Indexed Job with completions >= 1")
    if not 1 <= spec["parallelism"] <= n:
        fail("parallelism must be between 1 and completions")
    pod = spec["template"]["spec"]
    if pod["restartPolicy"] != "Never":
        fail("restartPolicy must be Never (backoffLimitPerIndex needs it)")
    (c,) = pod["containers"]
    env = env_of(c)
    if env["SHARDS"]["value"] != str(n):
        fail(f"env SHARDS={env['SHARDS']['value']} but completions={n}")
    index_ref = env["JOB_COMPLETION_INDEX"]["valueFrom"]["fieldRef"]["fieldPath"]
    if index_ref != "metadata.annotations['batch.kubernetes.io/job-completion-index']":
        fail("JOB_COMPLETION_INDEX must come from the completion-index annotation")
    if env["THREADS"]["value"] != str(c["resources"]["requests"]["cpu"]):
        fail("THREADS must equal the CPU request")
    used = set(re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", " ".join(c["args"])))
    if used - set(env):
        fail(f"args use undefined variables {sorted(used - set(env))}")
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
    if volumes["scenario"]["configMap"]["name"] != "contractsim-scenario" or mounts["scenario"] != "/scenarios":
        fail("the scenario ConfigMap contractsim-scenario must be mounted at /scenarios")
    if volumes["work"]["persistentVolumeClaim"]["claimName"] != pvc["metadata"]["name"]:
        fail("the shards' work volume is not the PVC")

    # Expand the arguments of every pod as Kubernetes does: shards 0..N-1 of N, each once,
    # each to its own folder, with identical runs, seed and scenario.
    shards, outs, common = set(), set(), set()
    for k in range(n):
        values = {name: e.get("value", str(k)) for name, e in env.items()}
        args = [expand(a, values) for a in c["args"]]
        if args[0] != "run" or not args[1].startswith("/scenarios/"):
            fail(f"pod {k}: {args[:2]}")
        opt = {args[i]: args[i + 1] for i in range(2, len(args) - 1, 2)}
        shard = opt["--shard"]
        kk, nn = (int(x) for x in shard.split("/"))
        if nn != n or kk != k:
            fail(f"pod {k} runs --shard {shard}, expected {k}/{n}")
        shards.add(kk)
        outs.add(opt["--out"])
        common.add((args[1], opt["--runs"], opt["--seed"]))
    if shards != set(range(n)) or len(outs) != n or len(common) != 1:
        fail("the shards do not cover 0..N-1 once each with one scenario, runs and seed")

    mpod = merge["spec"]["template"]["spec"]
    (mc,) = mpod["containers"]
    if env_of(mc)["SHARDS"]["value"] != str(n):
        fail(f"the merge job expects {env_of(mc)['SHARDS']['value']} shards, the Job runs {n}")
    if "contractsim merge /work/partials/shard-* --out /work/results" not in mc["args"][0]:
        fail("the merge job does not run contractsim merge over /work/partials/shard-*")
    if mpod["volumes"][0]["persistentVolumeClaim"]["claimName"] != pvc["metadata"]["name"]:
        fail("the merge job's volume is not the PVC")
    return n


def check_slurm():
    text = (HERE / "slurm/contractsim-array.sh").read_text()
    m = re.search(r"^#SBATCH --array=0-(\d+)", text, re.M)
    s = re.search(r'^SHARDS="\$\{SHARDS:-(\d+)\}"', text, re.M)
    if not m or not s or int(m.group(1)) + 1 != int(s.group(1)):
        fail("contractsim-array.sh: --array=0-(SHARDS-1) and SHARDS disagree")
    merge = (HERE / "slurm/contractsim-merge.sh").read_text()
    s2 = re.search(r'^SHARDS="\$\{SHARDS:-(\d+)\}"', merge, re.M)
    if not s2 or s2.group(1) != s.group(1):
        fail("contractsim-merge.sh expects another number of shards than contractsim-array.sh")
    if '--shard "${SHARD}/${SHARDS}"' not in text:
        fail("contractsim-array.sh does not pass --shard K/SHARDS")
    return int(s.group(1))


if __name__ == "__main__":
    k8s = check_kubernetes()
    slurm = check_slurm()
    print(f"cluster files ok (Kubernetes: {k8s} shards; Slurm: {slurm} shards)")
