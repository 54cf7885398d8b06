//! Promtail (and Grafana Agent static mode): `scrape_configs` with a `__path__` label (in
//! `static_configs`, or set by `relabel_configs` for `kubernetes_sd_configs`), shipped to the
//! Loki `clients`.

use super::{plaintext_url, At, FileInput, Output, Pipeline};
use crate::yaml::Node;

/// Where promtail's Kubernetes discovery reads when no relabelling says otherwise.
const POD_LOGS: &str = "/var/log/pods/**";

pub fn read(text: &str, file: usize) -> Option<Pipeline> {
    let doc = super::first_document(text)?;
    let root = doc.root()?;
    let at = |n: Node<'_>| At::of(file, n);
    let mut p = Pipeline {
        agent: "promtail",
        ..Pipeline::default()
    };
    for job in root
        .get("scrape_configs")
        .into_iter()
        .flat_map(|l| l.items())
    {
        let name = job.get_str("job_name").unwrap_or("job").to_owned();
        let mut include = Vec::new();
        let mut exclude = Vec::new();
        for labels in job
            .get("static_configs")
            .into_iter()
            .flat_map(|l| l.items())
            .filter_map(|s| s.get("labels"))
        {
            include.extend(labels.get_str("__path__").map(str::to_owned));
            exclude.extend(labels.get_str("__path_exclude__").map(str::to_owned));
        }
        if job.get("kubernetes_sd_configs").is_some() {
            let relabelled = job
                .get("relabel_configs")
                .into_iter()
                .flat_map(|l| l.items())
                .filter(|r| r.get_str("target_label") == Some("__path__"))
                .filter_map(|r| r.get_str("replacement"))
                .map(|r| r.replace("$1", "*"))
                .collect::<Vec<_>>();
            if relabelled.is_empty() {
                include.push(POD_LOGS.to_owned());
            } else {
                include.extend(relabelled);
            }
        }
        if include.is_empty() {
            continue;
        }
        p.inputs.push(FileInput {
            name,
            include,
            exclude,
            at: at(job),
        });
    }
    let clients: Vec<Node<'_>> = root
        .get("clients")
        .map(|l| l.items().collect())
        .or_else(|| root.get("client").map(|c| vec![c]))
        .unwrap_or_default();
    for client in clients {
        let url = client.get_str("url").unwrap_or("");
        p.outputs.push(Output {
            name: "loki".to_owned(),
            plugin: "loki".to_owned(),
            local: false,
            plaintext: plaintext_url(url),
            at: at(client),
        });
    }
    for i in 0..p.inputs.len() {
        for o in 0..p.outputs.len() {
            p.routes.push((i, o));
        }
    }
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_and_kubernetes_jobs() {
        let text = "clients:
- url: https://loki/loki/api/v1/push
scrape_configs:
- job_name: pods
  kubernetes_sd_configs: [{role: pod}]
  relabel_configs:
  - {source_labels: [__meta_kubernetes_pod_uid], target_label: __path__, replacement: /var/log/pods/*$1/*.log}
- job_name: audit
  static_configs:
  - labels: {__path__: /var/log/kubernetes/audit/*.log}
";
        let p = read(text, 0).unwrap();
        assert_eq!(p.inputs.len(), 2);
        assert!(p.ships("/var/log/kubernetes/audit/audit.log"));
        assert!(!p.outputs[0].plaintext);
    }
}
