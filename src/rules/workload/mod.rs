//! AL310–AL313: seccomp settings of workloads.

use crate::cluster::ClusterIndex;
use crate::config::Config;
use crate::context::DocCtx;
use crate::finding::Finding;

pub fn check_document(_cx: &mut DocCtx<'_>) {}

pub fn check_cluster(_index: &ClusterIndex, _config: &Config, _out: &mut Vec<Finding>) {}
