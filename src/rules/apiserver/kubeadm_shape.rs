//! AL117: kubeadm `extraArgs` written in a shape its apiVersion does not decode.
//! AL118: a kind patch that kind silently does not apply.
//! Both are found while reading the configuration; this reports them.

use crate::catalog::Code;
use crate::context::DocCtx;
use crate::finding::Safety;
use crate::model::apiserver::ApiServerConfig;

pub fn check(cx: &mut DocCtx<'_>, config: &ApiServerConfig) {
    for problem in &config.problems {
        let label = if problem.code == Code::AL118 {
            "patch not applied"
        } else {
            "cannot be decoded"
        };
        let finding = cx
            .finding(problem.code, problem.span)
            .message(problem.message.clone())
            .label(label)
            .help(problem.help.clone())
            .fix_with(Safety::Safe, problem.fix.clone().map(|e| vec![e]));
        cx.report(finding);
    }
}
