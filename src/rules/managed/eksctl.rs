//! AL116: an eksctl `ClusterConfig` that does not export the EKS `audit` log: the eksctl
//! form of AL501 (which leaves eksctl files to this rule), with eksctl's own refusals
//! (miscased types, `*`/`all` beside other entries).

use crate::catalog::Code;
use crate::config::Config;
use crate::finding::Finding;
use crate::model::managed::{Facts, Form, LogTypes, EKS_LOG_TYPES};

pub fn check(facts: &Facts, _: &Config, out: &mut Vec<Finding>) {
    for p in facts.planes.iter().filter(|p| p.form == Form::Eksctl) {
        for (span, message) in &p.rejected {
            out.push(
                Finding::new(Code::AL116, &p.file, *span)
                    .message(format!(
                        "{message}, so no control-plane logs (audit included) are exported"
                    ))
                    .label("rejected by eksctl")
                    .help(format!(
                        "use only these exact values: {} (or `[\"*\"]` alone)",
                        EKS_LOG_TYPES.join(", ")
                    )),
            );
        }
        match &p.log_types {
            LogTypes::Missing { insert } => out.push(
                Finding::new(Code::AL116, &p.file, *insert)
                    .message("this EKS cluster does not export control-plane logs: the managed audit log is never written to CloudWatch, so API activity cannot be reviewed or alerted on")
                    .label("no `enableTypes`")
                    .help("add:\ncloudWatch:\n  clusterLogging:\n    enableTypes: [\"audit\", \"authenticator\"]"),
            ),
            // A miscased `Audit` was reported above; saying it is missing too would repeat it.
            LogTypes::Listed { at, types, .. }
                if !types.iter().any(|t| t.eq_ignore_ascii_case("audit")) =>
            {
                out.push(
                    Finding::new(Code::AL116, &p.file, *at)
                        .message("`enableTypes` does not include `audit`: the EKS audit log (who did what through the API) is not exported to CloudWatch")
                        .label("no \"audit\" here")
                        .help("add `audit` to `cloudWatch.clusterLogging.enableTypes`"),
                )
            }
            _ => {}
        }
    }
}
