//! `auditlint init`: a commented starter `.auditlint.yaml`. Every setting is shown with its
//! default, commented out, so the file changes nothing until a line is uncommented.

use std::io::Write;
use std::path::Path;

/// The starter file. A test loads it (and each commented setting uncommented) to keep it
/// valid as the configuration grows.
pub const STARTER: &str = r#"# auditlint configuration. auditlint looks for this file in the scanned directory and
# its parents (up to the repository root), or reads the file named by `--config`.
# Rules may be named by code (AL103) or name (audit-log-maxage) everywhere.
# Editor completion: the JSON Schema is schemas/auditlint-config.json in the auditlint
# repository.
# yaml-language-server: $schema=https://raw.githubusercontent.com/auditlint/auditlint/main/schemas/auditlint-config.json

# Run only these rules (default: all): codes, code prefixes (AL2), names, families
# (input, apiserver, policy, seccomp, forwarding) or tags.
# select: [AL1, policy]

# Rules added to `select`.
# extend-select: [AL401]

# Never run these rules.
# ignore: [eks-audit-logging-disabled]

# Change the severity of a rule: error, warning or note.
# severity:
#   AL103: error
#   audit-log-maxbackup: note

# Minimums for the audit log rotation flags (AL103-AL105); the defaults follow CIS.
# thresholds:
#   maxage: 30
#   maxbackup: 10
#   maxsize: 100
#   log-retention-days: 90    # a managed cluster's control-plane log group (AL503)

# Extra log agents (image or name patterns) that count as log forwarders.
# log-agents: [registry.example.com/logging/shipper]

# Extra requests the audit policy must handle, written like the probe sets of
# rules/probes.yaml: `sensitive` ones must not be logged with request bodies (`body_verbs`:
# the verbs whose body carries the secret), `must-log` ones must be logged.
# extra-probes:
#   - kind: sensitive
#     group: vault.example.com
#     resource: vaultsecrets
#     verbs: [get, list, watch, create, update, patch]
#     body_verbs: [create, update, patch]
#   - {kind: must-log, group: "", resource: pods, subresource: ephemeralcontainers, verbs: [update, patch]}

# Where the repository keeps the audit policy an apiserver reads from a host path.
# policy-paths:
#   /etc/kubernetes/audit-policy.yaml: cluster/audit-policy.yaml

# Where the repository keeps a seccomp profile a workload names in `localhostProfile`.
# profile-paths:
#   profiles/audit.json: node/seccomp/audit.json

# Paths never scanned (.gitignore syntax, relative to the scanned directory).
# exclude: ["charts/*/tests/"]

# Findings of these rules under these paths are reported as suppressed.
# per-path-ignores:
#   "legacy/**": [AL103, AL104]

# The Kubernetes version of every cluster that does not set its own (else the version
# the files declare, else the newest auditlint knows).
# kubernetes-version: "1.30"

# At most this many findings of one rule in one file are shown; one more finding says how
# many were left out (0 shows all).
# max-findings-per-rule: 100

# Lint each top-level kustomization as kustomize builds it (kubectl kustomize or
# kustomize build must be on PATH), instead of its bases and patches as loose files.
# render: auto

# Which files form which cluster (paths relative to this file): the rules that relate
# files (policy file found, forwarder on control-plane nodes ...) judge each on its own.
# Without it, the scan is one cluster. `auditlint check --show-clusters` shows the model.
# clusters:
#   prod:
#     paths: [clusters/prod/, platform/]
#     kubernetes-version: "1.31"
#   staging:
#     paths: [clusters/staging/, platform/]

# Policy test files (relative to this file), checked on every run (AL216); see
# `auditlint explain AL216` for their format.
# policy-tests: [audit/policy-tests.yaml]
"#;

/// Writes the starter file to `path`; refuses to replace an existing file unless `force`.
pub fn write(path: &Path, force: bool) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{} already exists; pass --force to replace it",
                path.display()
            )
        } else {
            format!("{}: {e}", path.display())
        }
    })?;
    file.write_all(STARTER.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}
