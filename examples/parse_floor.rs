//! The parse floor for BENCHMARKS.md: what `auditlint check` does before any rule runs —
//! discover the files, read and check their bytes, parse them with auditlint's YAML layer
//! (spans, comments, duplicate keys, alias checks) in parallel — and nothing else.
//!
//! ```text
//! cargo run --release --example parse_floor -- [--max-file-size BYTES] PATH...
//! ```

use std::path::PathBuf;

use auditlint::discover;
use auditlint::yaml::{parse_stream, Item};
use rayon::prelude::*;

fn main() {
    let mut limit: u64 = 32 * 1024 * 1024;
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--max-file-size" {
            limit = args
                .next()
                .and_then(|n| n.parse().ok())
                .expect("--max-file-size takes a number of bytes");
        } else {
            paths.push(PathBuf::from(arg));
        }
    }
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let inputs = match discover::discover(&paths, &[]) {
        Ok(found) => found.inputs,
        Err(e) => {
            eprintln!("parse_floor: {e}");
            std::process::exit(2);
        }
    };
    // (bytes, documents, syntax errors) per file, summed.
    let (bytes, documents, errors) = inputs
        .par_iter()
        .map(|input| match discover::read(input, limit) {
            Ok((text, _)) => {
                let mut errors = 0;
                let info = parse_stream(&text, |item| match item {
                    Item::Document(doc) => drop(std::hint::black_box(doc)),
                    Item::Error(_) => errors += 1,
                });
                (text.len(), info.documents, errors)
            }
            Err(_) => (0, 0, 0),
        })
        .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    println!(
        "{} files, {bytes} bytes, {documents} documents, {errors} syntax errors",
        inputs.len()
    );
}
