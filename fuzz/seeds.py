#!/usr/bin/env python3
"""Writes the fuzz seeds that are not fixtures: minified single-line JSON manifests with
lines of 100 KB and more (as `kubectl get -o json` prints objects with a
last-applied-configuration annotation), to the directory given (default fuzz/seeds)."""
import json
import os
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "seeds")
os.makedirs(out, exist_ok=True)

def write(name, obj):
    with open(os.path.join(out, name), "w") as f:
        f.write(json.dumps(obj, separators=(",", ":")))

last_applied = json.dumps({"spec": {"x": "y" * 120_000}})
write("apiserver.json", {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "kube-apiserver", "namespace": "kube-system",
                 "annotations": {"kubectl.kubernetes.io/last-applied-configuration": last_applied}},
    "spec": {"containers": [{"name": "kube-apiserver", "command": [
        "kube-apiserver", "--audit-log-path=-", "--audit-log-maxage=1",
        "--audit-policy-file=/etc/kubernetes/audit/policy.yaml"]}]},
})
write("policy.json", {
    "apiVersion": "audit.k8s.io/v1", "kind": "Policy",
    "metadata": {"annotations": {"a": "x" * 110_000}},
    "rules": [{"level": "RequestResponse", "resources": [{"group": "", "resources": ["secrets"]}]},
              {"level": "None"}, {"level": "Metadata"}],
})
write("list.json", {"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": f"fluent-bit-{i}"},
     "spec": {"template": {"spec": {"containers": [{"name": "fluent-bit", "image": "fluent/fluent-bit:3.0"}]}}}}
    for i in range(1000)]})
