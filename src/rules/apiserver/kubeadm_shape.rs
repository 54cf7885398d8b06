//! AL117: kubeadm `extraArgs` written in a shape its apiVersion does not decode.

use crate::context::DocCtx;
use crate::model::apiserver::ApiServerConfig;

pub fn check(cx: &mut DocCtx<'_>, config: &ApiServerConfig) {
    for problem in &config.problems {
        let finding = cx
            .finding("AL117", problem.span)
            .message(problem.message.clone())
            .label("cannot be decoded")
            .help(problem.help.clone());
        cx.report(finding);
    }
}
