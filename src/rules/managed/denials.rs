//! AL504 (opt-in): nothing watches an EKS cluster's audit log for authentication and
//! authorisation failures: no CloudWatch metric filter on its log group counts 401 or 403
//! responses, as the EKS best-practices guide recommends.

use crate::catalog::Code;
use crate::config::Config;
use crate::finding::Finding;
use crate::model::managed::{
    log_group_names, log_group_shown, watches_denials, Facts, Form, Provider,
};

pub fn check(facts: &Facts, _: &Config, out: &mut Vec<Finding>) {
    for p in &facts.planes {
        if p.provider != Provider::Eks
            || p.form == Form::Described
            || p.log_types.exports("audit") != Some(true)
        {
            continue;
        }
        let names = log_group_names(p);
        let watched = facts
            .metric_filters
            .iter()
            .any(|m| names.contains(&m.log_group) && watches_denials(&m.pattern));
        if watched {
            continue;
        }
        let group = log_group_shown(p);
        out.push(
            Finding::new(Code::AL504, &p.file, p.at)
                .message(format!(
                    "no metric filter on `{group}` counts 401 or 403 responses: failed logins and denied requests in the audit log raise no alarm"
                ))
                .label("audit log not watched")
                .help(format!(
                    "add a metric filter on `{group}` with a pattern such as `{{ $.responseStatus.code = 401 || $.responseStatus.code = 403 }}` and a CloudWatch alarm on its metric"
                )),
        );
    }
}
