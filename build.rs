//! Embeds the rule pack (`rules/AL*.yaml`) so the binary carries its own documentation.

use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let mut names: Vec<String> = fs::read_dir("rules")
        .expect("rules/ directory")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("AL") && n.ends_with(".yaml"))
        .collect();
    names.sort();
    let root = env::var("CARGO_MANIFEST_DIR").expect("manifest dir");
    let body: String = names
        .iter()
        .map(|n| format!("    ({n:?}, include_str!(r\"{root}/rules/{n}\")),\n"))
        .collect();
    let out = Path::new(&env::var("OUT_DIR").expect("out dir")).join("rule_pack.rs");
    fs::write(
        out,
        format!("pub static RULE_FILES: &[(&str, &str)] = &[\n{body}];\n"),
    )
    .expect("write");
}
