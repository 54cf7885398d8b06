//! AL502: an EKS cluster that exports control-plane logs but not `authenticator`, the log
//! that maps IAM identities to Kubernetes users (the audit log shows only the mapped user).
//! A cluster that exports nothing is AL501's (or AL116's), whose fix adds both.

use crate::catalog::Code;
use crate::config::Config;
use crate::finding::Finding;
use crate::model::managed::{Facts, LogTypes, Provider};

pub fn check(facts: &Facts, _: &Config, out: &mut Vec<Finding>) {
    for p in &facts.planes {
        if p.provider != Provider::Eks || !p.rejected.is_empty() {
            continue;
        }
        let LogTypes::Listed { at, types, .. } = &p.log_types else {
            continue;
        };
        if types.is_empty() || p.log_types.exports("authenticator") != Some(false) {
            continue;
        }
        out.push(
            Finding::new(Code::AL502, &p.file, *at)
                .message("the `authenticator` log is not exported: it is the only record of which IAM role or user became which Kubernetes user, so audit events cannot be traced back to an AWS identity")
                .label("no \"authenticator\" here")
                .help(super::log_types_fix(p, "authenticator")),
        );
    }
}
