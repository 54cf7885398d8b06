//! The Amazon CloudWatch agent's JSON configuration: `logs.logs_collected.files.collect_list`
//! entries tail `file_path` (a glob) into CloudWatch Logs, over HTTPS unless
//! `logs.endpoint_override` says `http://`. A configuration without it (the Container
//! Insights one only has `logs.metrics_collected.kubernetes`) tails no file.
//!
//! Reference: "Manually create or edit the CloudWatch agent configuration file", section
//! `logs` (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Agent-Configuration-File-Details.html>).

use super::{plaintext_url, At, FileInput, Output, Pipeline};

pub fn read(text: &str, file: usize) -> Option<Pipeline> {
    let doc = super::first_document(text)?;
    let root = doc.root().filter(|r| r.is_map())?;
    let mut p = Pipeline {
        agent: "cloudwatch-agent",
        ..Pipeline::default()
    };
    let Some((logs_key, logs)) = root.entry("logs") else {
        return Some(p);
    };
    let entries = logs.path(&["logs_collected", "files", "collect_list"]);
    for entry in entries.into_iter().flat_map(|l| l.items()) {
        let Some(path) = entry.get_str("file_path") else {
            continue;
        };
        p.inputs.push(FileInput {
            name: entry.get_str("log_group_name").unwrap_or(path).to_owned(),
            include: vec![path.to_owned()],
            exclude: Vec::new(),
            at: At::of(file, entry),
        });
    }
    if p.inputs.is_empty() {
        return Some(p);
    }
    p.outputs.push(Output {
        name: "cloudwatch_logs".to_owned(),
        plugin: "cloudwatch_logs".to_owned(),
        local: false,
        plaintext: logs.get_str("endpoint_override").is_some_and(plaintext_url),
        at: At::of(file, logs_key),
    });
    p.routes = (0..p.inputs.len()).map(|i| (i, 0)).collect();
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collect_list_files_ship_to_cloudwatch_logs() {
        let text = r#"{"agent": {"region": "eu-west-1"}, "logs": {"logs_collected": {"files": {"collect_list": [
            {"file_path": "/var/log/kubernetes/audit/*.log", "log_group_name": "audit"},
            {"file_path": "/var/log/messages"}]}}}}"#;
        let p = read(text, 0).unwrap();
        assert_eq!(p.inputs.len(), 2);
        assert_eq!(p.inputs[0].name, "audit");
        assert!(p.ships("/var/log/kubernetes/audit/audit.log"));
        assert!(!p.outputs[0].plaintext);
        let plain = r#"{"logs": {"endpoint_override": "http://logs.local", "logs_collected": {"files": {"collect_list": [{"file_path": "/var/log/x.log"}]}}}}"#;
        assert!(read(plain, 0).unwrap().outputs[0].plaintext);
    }

    #[test]
    fn metrics_only_configurations_tail_nothing() {
        let text = r#"{"logs": {"metrics_collected": {"kubernetes": {"cluster_name": "c"}}, "force_flush_interval": 5}}"#;
        let p = read(text, 0).unwrap();
        assert!(p.inputs.is_empty() && p.outputs.is_empty());
        assert!(read("[1, 2]", 0).is_none());
    }
}
