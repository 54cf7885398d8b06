//! Deterministic mutation testing: every fixture file, mutated many ways from a fixed seed
//! (byte flips, truncations, anchors and aliases, deep brackets, tabs, NULs, stray template
//! and document markers, spliced fragments of other fixtures), runs through the whole
//! pipeline — byte checks, parse, every rule, cross-file rules, every output format — and
//! must never panic. The long-running, coverage-guided version of this is `fuzz/`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use auditlint::config::Config;
use auditlint::discover;
use auditlint::engine::{self, Text};
use auditlint::output;

const SEED: u64 = 0x5eed_a0d1_7e57_0001;
const MUTANTS_PER_FILE: usize = 40;
/// Mutants of each minified-JSON seed: a few, as each is 100 KB and more (the debug build
/// takes seconds over every format of one).
const MUTANTS_PER_LARGE_SEED: usize = 4;

/// SplitMix64: tiny, and the same sequence on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn fixture_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            // The fix cases (`fixes/`) are the rule fixtures again in other layouts: as
            // seeds they would add time, not kinds of input.
            if path.is_dir() && !path.ends_with("fixes") {
                stack.push(path);
            } else if path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

const INSERTS: &[&str] = &[
    "&a ",
    "*a ",
    "&a *a",
    "<<: *a\n",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "{{ .Values.x }}",
    "{% if x %}",
    "\t",
    "\0",
    "\n---\n",
    "\n...\n",
    "? ",
    ": ",
    "- ",
    "!!binary ",
    "!!str ",
    "|\n",
    ">-\n",
    "\"",
    "'",
    "#",
    "\u{feff}",
    "\r\n",
    "é",
    "\u{10ffff}",
    "%YAML 1.2\n",
    "kind: Pod\n",
    "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n",
];

/// One mutation of `bytes`, described for the failure message.
fn mutate(rng: &mut Rng, bytes: &[u8], donor: &[u8]) -> (Vec<u8>, String) {
    let mut out = bytes.to_vec();
    let at = rng.below(out.len() + 1);
    let what = match rng.below(9) {
        0 => {
            let i = rng.below(out.len());
            if let Some(b) = out.get_mut(i) {
                *b ^= 1 << rng.below(8);
            }
            format!("flip a bit of byte {i}")
        }
        1 => {
            out.truncate(at);
            format!("truncate at {at}")
        }
        2 | 3 => {
            let insert = INSERTS[rng.below(INSERTS.len())];
            out.splice(at..at, insert.bytes());
            format!("insert {insert:?} at {at}")
        }
        4 => {
            let depth = 1 + rng.below(600);
            let open = if rng.below(2) == 0 { "[" } else { "{a: " };
            out.splice(at..at, open.repeat(depth).bytes());
            format!("insert {depth} × {open:?} at {at}")
        }
        5 => {
            let end = (at + rng.below(64)).min(out.len());
            out.drain(at..end);
            format!("delete {at}..{end}")
        }
        6 => {
            let start = rng.below(donor.len());
            let end = (start + rng.below(200)).min(donor.len());
            out.splice(at..at, donor[start..end].iter().copied());
            format!("splice donor {start}..{end} at {at}")
        }
        7 => {
            // Re-indent one line: YAML structure lives in indentation.
            let line_start = out[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            let n = rng.below(9);
            out.splice(line_start..line_start, std::iter::repeat_n(b' ', n));
            format!("indent line at {line_start} by {n}")
        }
        _ => {
            // Duplicate a slice in place: repeated keys and documents.
            let end = (at + rng.below(120)).min(out.len());
            let copy = out[at..end].to_vec();
            out.splice(end..end, copy);
            format!("repeat {at}..{end}")
        }
    };
    (out, what)
}

/// The whole pipeline from bytes, as `check` runs it, into the human and JSON output and,
/// with `every_format`, SARIF, GitHub and concise too (SARIF carries the whole rule pack, so
/// it is rendered for one mutant in eight to keep the test quick in debug builds).
fn pipeline(texts: Vec<(String, Vec<u8>)>, config: &Config, every_format: bool) -> usize {
    let mut decoded = Vec::new();
    for (name, bytes) in texts {
        if let Ok(text) = discover::decode(bytes, config.max_file_size) {
            decoded.push(Text {
                display: name,
                text,
                abs_path: None,
            });
        }
    }
    let report = engine::scan_texts(decoded, config);
    let json = output::json::render(&report);
    assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
    let human = output::human::render(&report, true, 80, false);
    let plain = output::human::render(&report, false, 40, true);
    if !every_format {
        return json.len() + human.len() + plain.len();
    }
    let sarif = output::sarif::render(&report);
    assert!(serde_json::from_str::<serde_json::Value>(&sarif).is_ok());
    let github = output::github::render(&report);
    let concise = output::concise::render(&report);
    let others = [
        output::gitlab::render(&report),
        output::junit::render(&report),
        output::checkstyle::render(&report),
        output::statistics::render(&report, false),
    ];
    json.len()
        + human.len()
        + plain.len()
        + sarif.len()
        + github.len()
        + concise.len()
        + others.iter().map(String::len).sum::<usize>()
}

/// Minified single-line JSON manifests with lines of 100 KB and more, as `kubectl get -o
/// json` prints them with a `last-applied-configuration` annotation: findings past column
/// 65,535 once crashed the human format.
pub fn minified_json_seeds() -> Vec<(String, Vec<u8>)> {
    let annotation = |n: usize| "{\\\"x\\\":1}".repeat(n);
    let apiserver = format!(
        r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"kube-apiserver","namespace":"kube-system","annotations":{{"kubectl.kubernetes.io/last-applied-configuration":"{}"}}}},"spec":{{"containers":[{{"name":"kube-apiserver","command":["kube-apiserver","--audit-log-path=-","--audit-log-maxage=1","--audit-log-maxage=2"]}}]}}}}"#,
        annotation(12_000)
    );
    let policy = format!(
        r#"{{"apiVersion":"audit.k8s.io/v1","kind":"Policy","metadata":{{"annotations":{{"a":"{}"}}}},"rules":[{{"level":"RequestResponse","resources":[{{"group":"","resources":["secrets"]}}]}},{{"level":"None"}},{{"level":"Metadata"}}]}}"#,
        "x".repeat(110_000)
    );
    let list = format!(
        r#"{{"apiVersion":"v1","kind":"List","items":[{}]}}"#,
        vec![r#"{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"fluent-bit","a":1,"a":2},"spec":{"template":{"spec":{"containers":[{"name":"fluent-bit","image":"fluent/fluent-bit:3.0"}]}}}}"#; 800].join(",")
    );
    vec![
        ("minified/apiserver.json".into(), apiserver.into_bytes()),
        ("minified/policy.json".into(), policy.into_bytes()),
        ("minified/list.json".into(), list.into_bytes()),
    ]
}

#[test]
fn mutated_fixtures_never_crash_the_pipeline() {
    let started = Instant::now();
    let files = fixture_files();
    assert!(files.len() > 20, "fixtures not found");
    let mut originals: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read(p).unwrap()))
        .collect();
    let small = originals.len();
    originals.extend(minified_json_seeds());
    let mut config = Config::new();
    // Relative host paths in fixtures resolve inside the fixtures, never on this machine.
    config.host_root = Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"));
    let mut rng = Rng(SEED);
    let mut mutants = 0;
    let mut round = Vec::new();
    for (i, (name, bytes)) in originals.iter().enumerate() {
        let donor = &originals[(i + 1) % originals.len()].1;
        let count = if i < small {
            MUTANTS_PER_FILE
        } else {
            MUTANTS_PER_LARGE_SEED
        };
        for m in 0..count {
            // Mutations stack: later mutants of a file start from earlier ones.
            let (mut mutant, mut what) = mutate(&mut rng, bytes, donor);
            for _ in 0..rng.below(3) {
                let (again, also) = mutate(&mut rng, &mutant, donor);
                mutant = again;
                what = format!("{what}, {also}");
            }
            let display = format!("{name}#{m}");
            let result = catch_unwind(AssertUnwindSafe(|| {
                pipeline(vec![(display.clone(), mutant.clone())], &config, m % 8 == 0)
            }));
            if result.is_err() {
                panic!(
                    "{display} crashed after: {what}\ninput: {:?}",
                    String::from_utf8_lossy(&mutant)
                );
            }
            mutants += 1;
            round.push((display, mutant));
        }
    }
    // All mutants at once: the cross-file rules see every fact left by broken input.
    let output = pipeline(round, &config, true);
    assert!(output > 0);
    assert!(mutants >= files.len() * MUTANTS_PER_FILE + 3 * MUTANTS_PER_LARGE_SEED);
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "mutation run took {:?}",
        started.elapsed()
    );
}

#[test]
fn minified_json_seeds_have_lines_past_100_kb() {
    for (name, bytes) in minified_json_seeds() {
        let longest = bytes.split(|&b| b == b'\n').map(<[u8]>::len).max().unwrap();
        assert!(longest > 100_000, "{name}: {longest}");
        assert!(
            serde_json::from_slice::<serde_json::Value>(&bytes).is_ok(),
            "{name} is JSON"
        );
    }
}

#[test]
fn the_mutation_sequence_is_fixed() {
    // The same seed must give the same mutants everywhere, or a CI failure could not be
    // reproduced locally.
    let mut a = Rng(SEED);
    let mut b = Rng(SEED);
    let input = b"apiVersion: v1\nkind: Pod\n";
    for _ in 0..100 {
        assert_eq!(mutate(&mut a, input, input), mutate(&mut b, input, input));
    }
    assert_eq!(Rng(1).next(), 10451216379200822465);
}
