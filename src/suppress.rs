//! Suppressions: inline ignore comments, object annotations, config path ignores, baselines.

use std::sync::Arc;

use crate::config::Config;
use crate::finding::Finding;
use crate::source::SourceFile;
use crate::yaml::Comment;

/// Marks suppressed findings (they stay in the report, flagged, and do not count).
pub fn apply(
    _findings: &mut [Finding],
    _sources: &[(Arc<SourceFile>, Vec<Comment>)],
    _config: &Config,
) {
}
