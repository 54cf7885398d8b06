//! The README's rule table is generated from the rule pack; this test keeps it in sync.
//! Regenerate with `AUDITLINT_REGENERATE=1 cargo test --test readme`.

use auditlint::catalog as pack;

const START: &str = "<!-- rules-table:start -->";
const END: &str = "<!-- rules-table:end -->";

fn table() -> String {
    let mut out = String::from("\n| code | name | severity | summary |\n|---|---|---|---|\n");
    for r in pack::all() {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            r.code,
            r.name,
            r.severity.as_str(),
            r.summary.replace('|', "\\|")
        ));
    }
    out
}

#[test]
fn readme_rule_table_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let (head, rest) = readme
        .split_once(START)
        .expect("README has the table start marker");
    let (current, tail) = rest
        .split_once(END)
        .expect("README has the table end marker");
    let wanted = table();
    if current == wanted {
        return;
    }
    if std::env::var_os("AUDITLINT_REGENERATE").is_some() {
        std::fs::write(path, format!("{head}{START}{wanted}{END}{tail}")).unwrap();
        return;
    }
    panic!("README.md's rule table is out of date; run `AUDITLINT_REGENERATE=1 cargo test --test readme`");
}
