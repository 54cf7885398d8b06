//! A private temporary directory for what a renderer needs written (a wrapper kustomization,
//! a values file), removed when dropped. Never inside what is scanned.

use std::path::PathBuf;

pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    pub fn new(purpose: &str) -> Result<Scratch, String> {
        let base = std::fs::canonicalize(std::env::temp_dir())
            .map_err(|e| format!("no temporary directory: {e}"))?;
        for n in 0..1000u32 {
            let dir = base.join(format!("auditlint-{purpose}-{}-{n}", std::process::id()));
            if std::fs::create_dir(&dir).is_ok() {
                return Ok(Scratch { dir });
            }
        }
        Err("could not create a temporary directory".to_owned())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
