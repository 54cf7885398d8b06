//! The seccomp profile model.

/// A scanned seccomp profile, kept in the cluster index for `localhostProfile` resolution.
#[derive(Debug)]
pub struct ProfileEntry {}
