//! The log-agent list (`rules/log-agents.yaml`): which images and names are log forwarders.

use std::sync::OnceLock;

use crate::yaml::{parse_all, Item};

static AGENTS_YAML: &str = include_str!("../../rules/log-agents.yaml");

/// One entry of the agent list.
#[derive(Debug, Clone)]
pub struct Agent {
    pub name: String,
    /// Image patterns, each split into its components (last first), and name patterns:
    /// compiled once here rather than for every container of every workload scanned.
    images: Vec<Vec<Glob>>,
    names: Vec<Glob>,
}

/// A pattern in which `*` matches any run of characters, sorted by its shape once so that
/// the common shapes (`x`, `x-*`, `*-x`, `*-x-*`) match with one comparison.
#[derive(Debug, Clone)]
enum Glob {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Infix(String),
    Other(String),
}

impl Glob {
    fn new(pattern: &str) -> Glob {
        let inner = pattern.trim_matches('*');
        if inner.contains('*') {
            return Glob::Other(pattern.to_owned());
        }
        let inner = inner.to_owned();
        match (pattern.starts_with('*'), pattern.ends_with('*')) {
            (false, false) => Glob::Exact(inner),
            (false, true) => Glob::Prefix(inner),
            (true, false) => Glob::Suffix(inner),
            (true, true) => Glob::Infix(inner),
        }
    }

    fn matches(&self, text: &str) -> bool {
        match self {
            Glob::Exact(p) => text == p,
            Glob::Prefix(p) => text.starts_with(p.as_str()),
            Glob::Suffix(p) => text.ends_with(p.as_str()),
            Glob::Infix(p) => text.contains(p.as_str()),
            Glob::Other(p) => glob(p, text),
        }
    }
}

/// The built-in agent list, parsed once.
pub fn builtin() -> &'static [Agent] {
    static LIST: OnceLock<Vec<Agent>> = OnceLock::new();
    LIST.get_or_init(|| parse(AGENTS_YAML).unwrap_or_else(|e| panic!("rules/log-agents.yaml: {e}")))
}

/// Parses an agent list (public so that its test can report problems).
pub fn parse(text: &str) -> Result<Vec<Agent>, String> {
    let (items, _) = parse_all(text);
    let Some(Item::Document(doc)) = items.into_iter().next() else {
        return Err("not a YAML document".into());
    };
    let root = doc.root().ok_or("empty document")?;
    let list = root
        .get("agents")
        .filter(|a| a.is_seq())
        .ok_or("no `agents` list")?;
    let strings = |node: Option<crate::yaml::Node<'_>>| -> Vec<String> {
        node.into_iter()
            .flat_map(|n| n.items())
            .filter_map(|n| n.str().map(str::to_ascii_lowercase))
            .collect()
    };
    list.items()
        .map(|a| {
            let name = a.get_str("name").ok_or("an agent without `name`")?;
            Ok(Agent {
                name: name.to_owned(),
                images: strings(a.get("images"))
                    .iter()
                    .map(|p| p.rsplit('/').map(Glob::new).collect())
                    .collect(),
                names: strings(a.get("names"))
                    .iter()
                    .map(|p| Glob::new(p))
                    .collect(),
            })
        })
        .collect()
}

/// The repository part of an image reference: registry, tag and digest removed, lowercased
/// (`public.ecr.aws/aws-observability/aws-for-fluent-bit:3.0.1` → `aws-observability/aws-for-fluent-bit`).
pub fn image_repository(image: &str) -> String {
    let image = image.trim();
    let image = image.split('@').next().unwrap_or(image);
    let mut parts: Vec<&str> = image.split('/').collect();
    // The first component is a registry when it looks like a host (as the Docker reference
    // grammar decides): it has a dot or a port, or is `localhost`.
    if parts.len() > 1 {
        let first = parts[0];
        if first.contains('.') || first.contains(':') || first == "localhost" {
            parts.remove(0);
        }
    }
    if let Some(last) = parts.last_mut() {
        *last = last.split(':').next().unwrap_or(last);
    }
    parts.join("/").to_ascii_lowercase()
}

/// `*` matches any run of characters (within one component: callers split on `/`).
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// An image pattern against a repository: the pattern's components match the repository's
/// last components, one by one.
pub fn image_matches(pattern: &str, repository: &str) -> bool {
    let mut repo = repository.rsplit('/');
    !repository.is_empty()
        && pattern
            .rsplit('/')
            .all(|p| repo.next().is_some_and(|r| glob(p, r)))
}

/// [`image_matches`] on a compiled pattern and a repository split, both last first.
fn components_match(pattern: &[Glob], repository: &[&str]) -> bool {
    pattern.len() <= repository.len() && pattern.iter().zip(repository).all(|(p, r)| p.matches(r))
}

/// Which agent, if any, an image is (by the built-in list, then the extra patterns).
pub fn agent_of_image(image: &str, extra: &[String]) -> Option<String> {
    let repo = image_repository(image);
    if repo.is_empty() {
        return None;
    }
    let parts: Vec<&str> = repo.rsplit('/').collect();
    builtin()
        .iter()
        .find(|a| a.images.iter().any(|p| components_match(p, &parts)))
        .map(|a| a.name.clone())
        .or_else(|| {
            extra
                .iter()
                .find(|p| image_matches(&p.to_ascii_lowercase(), &repo))
                .cloned()
        })
}

/// Which agent, if any, a container or object name is.
pub fn agent_of_name(name: &str, extra: &[String]) -> Option<String> {
    let name = name.to_ascii_lowercase();
    builtin()
        .iter()
        .find(|a| a.names.iter().any(|p| p.matches(&name)))
        .map(|a| a.name.clone())
        .or_else(|| {
            extra
                .iter()
                .find(|p| !p.contains('/') && glob(&p.to_ascii_lowercase(), &name))
                .cloned()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_list_parses_and_is_complete() {
        let names: Vec<&str> = builtin().iter().map(|a| a.name.as_str()).collect();
        for expected in [
            "fluent-bit",
            "fluentd",
            "vector",
            "promtail",
            "grafana-alloy",
            "grafana-agent",
            "filebeat",
            "elastic-agent",
            "opentelemetry-collector",
            "datadog-agent",
            "splunk-otel-collector",
            "newrelic-logging",
            "sumologic",
            "aws-for-fluent-bit",
            "ama-logs",
            "rsyslog",
            "syslog-ng",
        ] {
            assert!(names.contains(&expected), "{expected} missing");
        }
        assert!(builtin().iter().all(|a| !a.images.is_empty()));
    }

    #[test]
    fn strips_registry_tag_and_digest() {
        let cases = [
            ("fluent/fluent-bit:1.5", "fluent/fluent-bit"),
            (
                "public.ecr.aws/aws-observability/aws-for-fluent-bit:3.0.1",
                "aws-observability/aws-for-fluent-bit",
            ),
            ("localhost:5000/vector:0.1", "vector"),
            ("localhost/vector", "vector"),
            ("registry:5000/team/Fluentd@sha256:abc", "team/fluentd"),
            ("busybox", "busybox"),
        ];
        for (image, repo) in cases {
            assert_eq!(image_repository(image), repo, "{image}");
        }
    }

    #[test]
    fn recognises_agent_images() {
        let cases = [
            ("fluent/fluent-bit:1.5", "fluent-bit"),
            ("cr.fluentbit.io/fluent/fluent-bit:3.1", "fluent-bit"),
            (
                "public.ecr.aws/aws-observability/aws-for-fluent-bit:3.0.1",
                "aws-for-fluent-bit",
            ),
            ("fluent/fluentd-kubernetes-daemonset:v1-debian-gcs", "fluentd"),
            ("docker.io/splunk/fluentd-hec:1.3.3", "fluentd"),
            ("docker.elastic.co/beats/filebeat-wolfi:9.5.2", "filebeat"),
            ("timberio/vector:0.40.0-distroless-libc", "vector"),
            ("grafana/alloy:v1.4.0", "grafana-alloy"),
            ("grafana/agent:v0.40.0", "grafana-agent"),
            ("docker.io/grafana/promtail:3.0.0", "promtail"),
            (
                "ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-k8s:0.158.0",
                "opentelemetry-collector",
            ),
            ("gcr.io/datadoghq/agent:7", "datadog-agent"),
        ];
        for (image, agent) in cases {
            assert_eq!(
                agent_of_image(image, &[]).as_deref(),
                Some(agent),
                "{image}"
            );
        }
    }

    #[test]
    fn does_not_take_lookalikes_for_agents() {
        for image in [
            "vectorized/redpanda:v23",
            "semitechnologies/weaviate",
            "qdrant/qdrant",
            "ankane/pgvector",
            "pgvector/pgvector:pg16",
            "nginx:1.25",
            "grafana/grafana:10",
            "grafana/loki:3",
            "docker.elastic.co/elasticsearch/elasticsearch:8",
            "my-agent",
            "",
        ] {
            assert_eq!(agent_of_image(image, &[]), None, "{image}");
        }
        for name in [
            "vector",
            "vector-db",
            "agent",
            "logs",
            "fluent",
            "alloy-db-x",
            "",
        ] {
            assert_eq!(agent_of_name(name, &[]), None, "{name}");
        }
    }

    #[test]
    fn recognises_names_and_extra_patterns() {
        assert_eq!(
            agent_of_name("fluent-bit", &[]).as_deref(),
            Some("fluent-bit")
        );
        assert_eq!(
            agent_of_name("my-release-fluent-bit", &[]).as_deref(),
            Some("fluent-bit")
        );
        assert_eq!(agent_of_name("ama-logs", &[]).as_deref(), Some("ama-logs"));
        let extra = vec!["acme/log-shipper".to_owned(), "shipper-*".to_owned()];
        assert_eq!(
            agent_of_image("registry.acme.io/acme/log-shipper:2", &extra).as_deref(),
            Some("acme/log-shipper")
        );
        assert_eq!(
            agent_of_name("shipper-eu", &extra).as_deref(),
            Some("shipper-*")
        );
        assert_eq!(agent_of_name("acme/log-shipper", &extra), None);
    }

    #[test]
    fn glob_is_anchored() {
        assert!(glob("fluent-bit*", "fluent-bit"));
        assert!(glob("*-fluent-bit", "x-fluent-bit"));
        assert!(!glob("*-fluent-bit", "fluent-bit"));
        assert!(glob("a*b*c", "aXbYbc"));
        assert!(!glob("fluentd", "fluentd2"));
    }

    #[test]
    fn compiled_globs_agree_with_glob() {
        let patterns = [
            "", "*", "**", "x", "x*", "*x", "*x*", "**x**", "x-*", "*-x", "*-x-*", "a*b", "*a*b*",
        ];
        let texts = [
            "", "x", "xx", "x-", "-x", "a-x-b", "ab", "axb", "b", "x-y-x",
        ];
        for p in patterns {
            for t in texts {
                assert_eq!(Glob::new(p).matches(t), glob(p, t), "{p:?} on {t:?}");
            }
        }
    }
}
