//! Reading `.auditlint.yaml`: found from the scan root upward (or named by `--config`),
//! parsed with our own YAML layer so every error points at the node that has it. Unknown
//! keys are errors: a misspelt key silently ignored is a check silently not done.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::{ConfigError, ConfigErrors};
use super::{ClusterDecl, Config, ExtraProbe, Managed};
use crate::catalog::{self, suggest, Severity};
use crate::source::SourceFile;
use crate::yaml::{parse_all, Item, Node, Span};

/// The names a configuration file may have, in the order they are looked for.
pub const FILE_NAMES: &[&str] = &[".auditlint.yaml", ".auditlint.yml"];

/// Every top-level key the loader accepts (the JSON Schema must list exactly these).
pub const TOP_KEYS: &[&str] = &[
    "select",
    "extend-select",
    "ignore",
    "severity",
    "thresholds",
    "log-agents",
    "extra-probes",
    "policy-paths",
    "profile-paths",
    "exclude",
    "per-path-ignores",
    "kubernetes-version",
    "max-findings-per-rule",
    "policy-tests",
    "clusters",
    "render",
];

/// Keys of one `clusters` entry.
pub const CLUSTER_KEYS: &[&str] = &["paths", "kubernetes-version", "managed"];

/// Keys of `thresholds`.
pub const THRESHOLD_KEYS: &[&str] = &["maxage", "maxbackup", "maxsize", "log-retention-days"];

/// Keys of one `extra-probes` entry (those of a probe set in `rules/probes.yaml`, plus
/// `kind`).
pub const PROBE_KEYS: &[&str] = &[
    "kind",
    "group",
    "resource",
    "subresource",
    "cluster",
    "namespaces",
    "verbs",
    "body_verbs",
];

/// Looks for a configuration file in `start` and its parents, stopping after the first
/// directory that holds `.git` (a repository's settings never leak in from outside it).
pub fn find(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    for dir in start.ancestors() {
        for name in FILE_NAMES {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(shorten(candidate));
            }
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    None
}

/// `path` relative to the working directory when it lies under it (for messages).
fn shorten(path: PathBuf) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| std::fs::canonicalize(cwd).ok())
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or(path)
}

/// Where to start looking for the configuration of a scan of `paths`: the first directory
/// named, or the directory of the first file named, or the working directory (stdin).
pub fn search_start(paths: &[PathBuf]) -> PathBuf {
    for p in paths {
        if p.as_os_str() == "-" {
            continue;
        }
        if p.is_dir() {
            return p.clone();
        }
        if let Some(parent) = p.parent() {
            return if parent.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                parent.to_path_buf()
            };
        }
    }
    PathBuf::from(".")
}

/// Reads and parses the configuration file at `path` onto `Config::new()`.
pub fn load(path: &Path) -> Result<Config, ConfigErrors> {
    let shown = crate::discover::display_path(path);
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let canonical = std::fs::canonicalize(path).ok();
            let root = canonical
                .as_deref()
                .and_then(Path::parent)
                .map(Path::to_path_buf);
            let mut config = parse(&SourceFile::on_disk(shown, text, canonical))?;
            config.root = root;
            // Policy tests are named relative to the configuration file.
            let dir = path.parent().unwrap_or(Path::new(""));
            for test in &mut config.policy_tests {
                *test = dir.join(&*test);
            }
            Ok(config)
        }
        Err(e) => Err(ConfigErrors {
            file: SourceFile::new(shown, ""),
            errors: vec![ConfigError::new(
                Span::point(0),
                format!("cannot read the configuration file: {e}"),
            )],
        }),
    }
}

/// Parses a configuration file's text onto `Config::new()`, collecting every error.
pub fn parse(file: &Arc<SourceFile>) -> Result<Config, ConfigErrors> {
    let mut config = Config::new();
    let mut errors = Vec::new();
    let (items, _) = parse_all(&file.text);
    let mut documents = 0;
    for item in &items {
        match item {
            Item::Error(e) => errors.push(
                ConfigError::new(
                    e.span,
                    format!("the configuration is not valid YAML: {}", e.message),
                )
                .label("here"),
            ),
            Item::Document(doc) => {
                documents += 1;
                if documents > 1 {
                    errors.push(
                        ConfigError::new(
                            Span::point(doc.span.start),
                            "the configuration file holds more than one YAML document",
                        )
                        .help("keep all settings in one document; remove the `---`"),
                    );
                    continue;
                }
                for d in &doc.duplicates {
                    errors.push(
                        ConfigError::new(d.second, format!("`{}` is set twice", d.key))
                            .label("set again here")
                            .help("keep one of them; only the last would count"),
                    );
                }
                if let Some(root) = doc.root() {
                    Loader {
                        config: &mut config,
                        errors: &mut errors,
                        file,
                    }
                    .root(root);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(ConfigErrors {
            file: Arc::clone(file),
            errors,
        })
    }
}

struct Loader<'a> {
    config: &'a mut Config,
    errors: &'a mut Vec<ConfigError>,
    file: &'a Arc<SourceFile>,
}

impl Loader<'_> {
    fn error(&mut self, e: ConfigError) {
        self.errors.push(e);
    }

    fn root(&mut self, root: Node<'_>) {
        if root.is_null() {
            return;
        }
        let Some(entries) = self.map(root, "the configuration") else {
            return;
        };
        for (key, value) in entries {
            let Some(name) = self.key(key, TOP_KEYS, "top-level setting") else {
                continue;
            };
            match name {
                "select" => {
                    if let Some(codes) = self.rules(value) {
                        self.config.select = Some(codes);
                    }
                }
                "extend-select" => {
                    if let Some(codes) = self.rules(value) {
                        self.config.extend_select = codes;
                    }
                }
                "ignore" => {
                    if let Some(codes) = self.rules(value) {
                        self.config.ignore = codes;
                    }
                }
                "severity" => self.severity(value),
                "thresholds" => self.thresholds(value),
                "log-agents" => {
                    if let Some(agents) = self.strings(value) {
                        self.config.log_agents = agents.into_iter().map(|(s, _)| s).collect();
                    }
                }
                "extra-probes" => self.probes(value),
                "policy-paths" => self.policy_paths(value),
                "profile-paths" => self.profile_paths(value),
                "exclude" => {
                    if let Some(patterns) = self.strings(value) {
                        let mut ok = Vec::new();
                        for (p, span) in patterns {
                            if self.pattern(&p, span) {
                                ok.push(p);
                            }
                        }
                        self.config.exclude = ok;
                    }
                }
                "per-path-ignores" => self.per_path_ignores(value),
                "kubernetes-version" => {
                    self.config.kubernetes_version = self.kubernetes_version(value);
                }
                "clusters" => self.clusters(value),
                "render" => match value.str().filter(|_| value.is_scalar()) {
                    Some("auto") => self.config.render = true,
                    Some("off") => self.config.render = false,
                    _ => self.error(
                        ConfigError::new(value.span(), "`render` must be `auto` or `off`")
                            .label("not a render mode")
                            .help("`render: auto` lints each top-level kustomization as kustomize builds it"),
                    ),
                },
                "max-findings-per-rule" => {
                    match value.scalar().and_then(|s| s.as_int()).filter(|n| *n >= 0) {
                        Some(n) => {
                            self.config.max_findings_per_rule =
                                usize::try_from(n).unwrap_or(usize::MAX)
                        }
                        None => self.error(
                            ConfigError::new(
                                value.span(),
                                "`max-findings-per-rule` must be a whole number, 0 or more",
                            )
                            .label("not a whole number")
                            .help("0 shows every finding"),
                        ),
                    }
                }
                "policy-tests" => {
                    if let Some(files) = self.strings(value) {
                        self.config.policy_tests =
                            files.into_iter().map(|(f, _)| PathBuf::from(f)).collect();
                    }
                }
                _ => {}
            }
        }
    }

    /// The entries of a mapping, or an error saying what `what` should have been.
    fn map<'d>(&mut self, node: Node<'d>, what: &str) -> Option<Vec<(Node<'d>, Node<'d>)>> {
        if node.is_map() {
            Some(node.entries().collect())
        } else {
            self.error(
                ConfigError::new(
                    node.span(),
                    format!("{what} must be a mapping, not a {}", node.kind_name()),
                )
                .label(format!("a {}", node.kind_name())),
            );
            None
        }
    }

    /// A key that must be one of `known`; unknown keys are errors with the nearest name.
    fn key<'d>(
        &mut self,
        key: Node<'d>,
        known: &[&'static str],
        what: &str,
    ) -> Option<&'static str> {
        let text = key.text().unwrap_or("");
        if let Some(k) = known.iter().find(|k| **k == text) {
            return Some(k);
        }
        let mut e = ConfigError::new(key.span(), format!("unknown {what} `{text}`"))
            .label("not a setting auditlint knows");
        e = match suggest(text, known.iter().copied()) {
            Some(s) => e.help(format!("did you mean `{s}`?")),
            None => e.help(format!("known: {}", known.join(", "))),
        };
        self.error(e);
        None
    }

    /// A non-empty string scalar.
    fn string(&mut self, node: Node<'_>) -> Option<String> {
        match node.str() {
            Some(s) if node.is_scalar() && !s.trim().is_empty() => Some(s.to_owned()),
            _ => {
                self.error(
                    ConfigError::new(
                        node.span(),
                        format!("expected a non-empty string, found a {}", node.kind_name()),
                    )
                    .label("here"),
                );
                None
            }
        }
    }

    /// A list of non-empty strings, with their spans.
    fn strings(&mut self, node: Node<'_>) -> Option<Vec<(String, Span)>> {
        if !node.is_seq() {
            self.error(
                ConfigError::new(
                    node.span(),
                    format!("expected a list, found a {}", node.kind_name()),
                )
                .label("here")
                .help("write a YAML list: `[a, b]` or one `- item` per line"),
            );
            return None;
        }
        Some(
            node.items()
                .filter_map(|item| self.string(item).map(|s| (s, item.span())))
                .collect(),
        )
    }

    /// A rule code or name resolved to its code.
    fn rule(&mut self, node: Node<'_>) -> Option<String> {
        let text = self.string(node)?;
        if let Some(rule) = catalog::find(text.trim()) {
            return Some(rule.code.as_str().to_owned());
        }
        let names = catalog::all()
            .iter()
            .flat_map(|r| [r.code.as_str(), r.name]);
        let mut e =
            ConfigError::new(node.span(), format!("no rule named `{text}`")).label("unknown rule");
        e = match suggest(&text, names) {
            Some(s) => e.help(format!("did you mean `{s}`? `auditlint rules` lists them")),
            None => e.help("`auditlint rules` lists the rule codes and names"),
        };
        self.error(e);
        None
    }

    /// A list of rules; `None` if it is not a list (unknown entries are dropped, reported).
    fn rules(&mut self, node: Node<'_>) -> Option<Vec<String>> {
        if !node.is_seq() {
            self.error(
                ConfigError::new(
                    node.span(),
                    format!("expected a list of rules, found a {}", node.kind_name()),
                )
                .label("here")
                .help("write a YAML list of codes or names: `[AL103, audit-log-maxbackup]`"),
            );
            return None;
        }
        let mut codes = Vec::new();
        for item in node.items() {
            // A code, prefix, name, family or tag; anything else is reported as a rule
            // that does not exist, with the nearest name.
            match item
                .str()
                .filter(|_| item.is_scalar())
                .map(crate::select::codes)
            {
                Some(Ok(picked)) => codes.extend(picked),
                _ => codes.extend(self.rule(item)),
            }
        }
        codes.sort();
        codes.dedup();
        Some(codes)
    }

    fn severity(&mut self, node: Node<'_>) {
        let Some(entries) = self.map(node, "`severity`") else {
            return;
        };
        for (key, value) in entries {
            let Some(code) = self.rule(key) else { continue };
            let severity = match value.str() {
                Some("error") => Severity::Error,
                Some("warning") => Severity::Warning,
                Some("note") => Severity::Note,
                _ => {
                    self.error(
                        ConfigError::new(
                            value.span(),
                            "a severity must be `error`, `warning` or `note`",
                        )
                        .label("not a severity"),
                    );
                    continue;
                }
            };
            self.config.severity.insert(code, severity);
        }
    }

    fn thresholds(&mut self, node: Node<'_>) {
        let Some(entries) = self.map(node, "`thresholds`") else {
            return;
        };
        for (key, value) in entries {
            let Some(name) = self.key(key, THRESHOLD_KEYS, "threshold") else {
                continue;
            };
            let Some(n) = value.scalar().and_then(|s| s.as_int()).filter(|n| *n >= 0) else {
                self.error(
                    ConfigError::new(
                        value.span(),
                        format!("`{name}` must be a whole number, 0 or more"),
                    )
                    .label("not a whole number"),
                );
                continue;
            };
            let t = &mut self.config.thresholds;
            match name {
                "maxage" => t.maxage = n,
                "maxbackup" => t.maxbackup = n,
                "log-retention-days" => t.log_retention_days = n,
                _ => t.maxsize = n,
            }
        }
    }

    fn probes(&mut self, node: Node<'_>) {
        if !node.is_seq() {
            self.error(
                ConfigError::new(
                    node.span(),
                    format!("`extra-probes` must be a list, not a {}", node.kind_name()),
                )
                .label("here"),
            );
            return;
        }
        for item in node.items() {
            if let Some(probe) = self.probe(item) {
                self.config.extra_probes.push(probe);
            }
        }
    }

    fn probe(&mut self, item: Node<'_>) -> Option<ExtraProbe> {
        let entries = self.map(item, "an extra probe")?;
        let mut probe = ExtraProbe::default();
        let (mut ok, mut sensitive, mut body_verbs) = (true, None, None);
        for (key, value) in entries {
            let Some(name) = self.key(key, PROBE_KEYS, "probe field") else {
                ok = false;
                continue;
            };
            match name {
                "kind" => match value.str() {
                    Some("sensitive") => sensitive = Some(true),
                    Some("must-log") => sensitive = Some(false),
                    _ => {
                        ok = false;
                        self.error(
                            ConfigError::new(
                                value.span(),
                                "a probe's `kind` must be `sensitive` or `must-log`",
                            )
                            .label("not a probe kind"),
                        );
                    }
                },
                // `""` is the core API group, so an empty group is allowed.
                "group" => match value.str().filter(|_| value.is_scalar()) {
                    Some(g) => probe.group = g.to_owned(),
                    None if value.is_null() => {}
                    None => {
                        ok = false;
                        self.error(
                            ConfigError::new(
                                value.span(),
                                "`group` must be a string (\"\" for the core group)",
                            )
                            .label("not a string"),
                        );
                    }
                },
                "resource" | "subresource" => match self.string(value) {
                    Some(s) if name == "resource" => probe.resource = s,
                    Some(s) => probe.subresource = s,
                    None => ok = false,
                },
                "cluster" => match value.scalar().and_then(|s| s.as_bool()) {
                    Some(b) => probe.cluster = b,
                    None => {
                        ok = false;
                        self.error(
                            ConfigError::new(value.span(), "`cluster` must be `true` or `false`")
                                .label("not a boolean"),
                        );
                    }
                },
                _ => match self.strings(value) {
                    Some(list) => {
                        let list = list.into_iter().map(|(s, _)| s).collect();
                        match name {
                            "namespaces" => probe.namespaces = list,
                            "verbs" => probe.verbs = list,
                            _ => body_verbs = Some((list, key.span())),
                        }
                    }
                    None => ok = false,
                },
            }
        }
        let missing: Vec<&str> = [
            ("kind", sensitive.is_none() && item.get("kind").is_none()),
            (
                "resource",
                probe.resource.is_empty() && item.get("resource").is_none(),
            ),
            (
                "verbs",
                probe.verbs.is_empty() && item.get("verbs").is_none(),
            ),
        ]
        .into_iter()
        .filter_map(|(k, m)| m.then_some(k))
        .collect();
        if !missing.is_empty() {
            self.error(
                ConfigError::new(
                    item.span(),
                    format!("this probe has no {}", missing.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")),
                )
                .label("incomplete probe")
                .help("a probe needs `kind` (sensitive or must-log), `resource` and `verbs`, e.g. `{kind: must-log, group: \"\", resource: pods, subresource: exec, verbs: [create]}`"),
            );
            return None;
        }
        let sensitive = sensitive?;
        match body_verbs {
            Some((_, span)) if !sensitive => {
                self.error(
                    ConfigError::new(
                        span,
                        "`body_verbs` applies only to `kind: sensitive` probes",
                    )
                    .label("on a must-log probe")
                    .help("remove it, or make the probe `kind: sensitive`"),
                );
                return None;
            }
            Some((verbs, _)) => probe.body_verbs = Some(verbs),
            None if sensitive => probe.body_verbs = Some(Vec::new()),
            None => {}
        }
        ok.then_some(probe)
    }

    fn policy_paths(&mut self, node: Node<'_>) {
        let Some(entries) = self.map(node, "`policy-paths`") else {
            return;
        };
        for (key, value) in entries {
            let (Some(host), Some(file)) = (self.string(key), self.string(value)) else {
                continue;
            };
            if !host.starts_with('/') {
                self.error(
                    ConfigError::new(key.span(), format!("`{host}` is not an absolute host path"))
                        .label("a relative path")
                        .help("keys are the paths the apiserver reads, as in `--audit-policy-file=/etc/kubernetes/audit-policy.yaml`"),
                );
                continue;
            }
            self.config.policy_paths.insert(host, file);
        }
    }

    fn profile_paths(&mut self, node: Node<'_>) {
        let Some(entries) = self.map(node, "`profile-paths`") else {
            return;
        };
        for (key, value) in entries {
            let (Some(profile), Some(file)) = (self.string(key), self.string(value)) else {
                continue;
            };
            if profile.starts_with('/') {
                self.error(
                    ConfigError::new(key.span(), format!("`{profile}` is an absolute path"))
                        .label("Kubernetes rejects an absolute `localhostProfile`")
                        .help("keys are `localhostProfile` values, relative to the kubelet's seccomp directory (/var/lib/kubelet/seccomp/): `profiles/audit.json`"),
                );
                continue;
            }
            self.config.profile_paths.insert(profile, file);
        }
    }

    fn per_path_ignores(&mut self, node: Node<'_>) {
        let Some(entries) = self.map(node, "`per-path-ignores`") else {
            return;
        };
        for (key, value) in entries {
            let Some(pattern) = self.string(key) else {
                continue;
            };
            let valid = self.pattern(&pattern, key.span());
            if let Some(codes) = self.rules(value) {
                if valid {
                    self.config.path_ignores.push((pattern, codes));
                }
            }
        }
    }

    /// Whether `pattern` is valid gitignore-style glob syntax; reports it if not.
    fn pattern(&mut self, pattern: &str, span: Span) -> bool {
        let mut builder = ignore::gitignore::GitignoreBuilder::new("");
        match builder.add_line(None, pattern) {
            Ok(_) => true,
            Err(e) => {
                self.error(
                    ConfigError::new(
                        span,
                        format!("`{pattern}` is not a valid path pattern: {e}"),
                    )
                    .label("invalid pattern")
                    .help("patterns use .gitignore syntax, e.g. `legacy/**` or `*.tmpl.yaml`"),
                );
                false
            }
        }
    }

    fn kubernetes_version(&mut self, node: Node<'_>) -> Option<crate::version::Version> {
        let parsed = node
            .text()
            .filter(|_| node.is_scalar())
            .and_then(crate::version::parse);
        if parsed.is_none() {
            self.error(
                ConfigError::new(node.span(), "`kubernetes-version` must be a version like \"1.30\"")
                    .label("not a Kubernetes version")
                    .help("write MAJOR.MINOR in quotes, so YAML keeps it as written: `kubernetes-version: \"1.30\"`"),
            );
        }
        parsed
    }

    /// `clusters: {NAME: {paths: [...], kubernetes-version: "1.30", managed: eks}}`.
    fn clusters(&mut self, node: Node<'_>) {
        let Some(entries) = self.map(node, "`clusters`") else {
            return;
        };
        for (key, value) in entries {
            let Some(name) = self.string(key) else {
                continue;
            };
            let Some(fields) = self.map(value, &format!("cluster `{name}`")) else {
                continue;
            };
            let mut cluster = ClusterDecl {
                name: name.clone(),
                paths: Vec::new(),
                kubernetes_version: None,
                managed: Managed::None,
                origin: Some((Arc::clone(self.file), key.span())),
            };
            let mut has_paths = false;
            for (k, v) in fields {
                match self.key(k, CLUSTER_KEYS, "cluster setting") {
                    Some("paths") => {
                        has_paths = true;
                        for (p, span) in self.strings(v).unwrap_or_default() {
                            if self.pattern(&p, span) {
                                cluster.paths.push(p);
                            }
                        }
                    }
                    Some("kubernetes-version") => {
                        cluster.kubernetes_version = self.kubernetes_version(v);
                    }
                    Some("managed") => match v.str().and_then(Managed::parse) {
                        Some(m) if v.is_scalar() => cluster.managed = m,
                        _ => self.error(
                            ConfigError::new(v.span(), "`managed` must be one of none, eks, gke, aks")
                                .label("not a known control plane")
                                .help("write `managed: eks` (or gke, aks) for a managed control plane, `none` for your own"),
                        ),
                    },
                    _ => {}
                }
            }
            if !has_paths {
                self.error(
                    ConfigError::new(key.span(), format!("cluster `{name}` has no `paths`"))
                        .label("which files are in it?")
                        .help("list its files as path patterns relative to this file: `paths: [clusters/prod/**, platform/logging/**]`"),
                );
                continue;
            }
            self.config.clusters.push(cluster);
        }
    }
}
