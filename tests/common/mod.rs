//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `../shared/REL` beside the project, when it is there; otherwise a notice and `None`, so
/// tests that need the shared corpus or schemas skip themselves on a bare checkout.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: {} is not present", path.display());
        None
    }
}

/// A directory of the shared corpus (`../shared/corpus/DIR`).
pub fn corpus(dir: &str) -> Option<PathBuf> {
    shared(&format!("corpus/{dir}")).filter(|p| p.is_dir())
}
