//! The audit Policy model.

/// A scanned Policy, kept in the cluster index for cross-file rules.
#[derive(Debug)]
pub struct PolicyEntry {}
