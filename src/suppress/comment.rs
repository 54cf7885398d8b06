//! The ignore-comment grammar.
//!
//! ```text
//! # auditlint: ignore[AL103]                        one rule, this line (or the next)
//! # auditlint: ignore[AL103, audit-log-maxbackup]   codes or names, comma-separated
//! # auditlint: ignore[AL103] -- rotation is done by the node's logrotate
//! # auditlint: ignore[AL103]: same, with a colon
//! # auditlint: ignore-file[AL401]                   the whole file
//! ```
//!
//! The directive must open the comment (`auditlint:` after the `#` and optional spaces) and
//! name its rules: there is no blanket `ignore`, so a suppression always says what it hides.
//! Anything after `]` must be a reason introduced by `--` or `:`; other trailing text is
//! rejected rather than guessed at (`ignore[AL103],AL104` must not half-work).

/// Which findings a directive covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Findings starting on the comment's line (a trailing comment), or on the next line
    /// with content (a comment on a line of its own).
    Line,
    /// Every finding in the file.
    File,
}

/// A rule as written in a directive, with its byte range in the comment text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRef {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub scope: Scope,
    pub rules: Vec<RuleRef>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// An ordinary comment.
    NotDirective,
    Directive(Directive),
    /// Meant as a directive but not one: reported, never applied.
    Malformed(String),
}

/// Parses the text of one comment (what follows the `#`).
pub fn parse(text: &str) -> Parsed {
    let lead = text.len() - text.trim_start().len();
    let Some(after) = text[lead..].strip_prefix("auditlint") else {
        return Parsed::NotDirective;
    };
    let Some(body) = after.strip_prefix(':') else {
        if after.starts_with(char::is_whitespace) && after.trim_start().starts_with("ignore") {
            return Parsed::Malformed(
                "`auditlint` must be followed by a colon: `# auditlint: ignore[AL103]`".into(),
            );
        }
        return Parsed::NotDirective;
    };
    // Byte offset of `body` in `text`.
    let mut at = lead + "auditlint:".len();
    let trimmed = body.trim_start();
    at += body.len() - trimmed.len();
    let (scope, word) = if trimmed.starts_with("ignore-file") {
        (Scope::File, "ignore-file")
    } else if trimmed.starts_with("ignore") {
        (Scope::Line, "ignore")
    } else {
        let found: String = trimmed
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '[')
            .collect();
        return Parsed::Malformed(format!(
            "unknown directive `{found}`; auditlint understands `ignore[...]` and `ignore-file[...]`"
        ));
    };
    at += word.len();
    let rest = &text[at..];
    let open = rest.trim_start();
    at += rest.len() - open.len();
    let Some(list) = open.strip_prefix('[') else {
        return Parsed::Malformed(format!(
            "`{word}` must name the rules it ignores in brackets: `{word}[AL103]`"
        ));
    };
    at += 1;
    let Some(close) = list.find(']') else {
        return Parsed::Malformed(format!("`{word}[` is not closed by `]`"));
    };
    let mut rules = Vec::new();
    let pieces: Vec<&str> = list[..close].split(',').collect();
    let mut offset = at;
    for (i, piece) in pieces.iter().enumerate() {
        let name = piece.trim();
        let start = offset + (piece.len() - piece.trim_start().len());
        offset += piece.len() + 1;
        if name.is_empty() {
            // A trailing comma is harmless; an empty list or `[a,,b]` is a mistake.
            if i + 1 == pieces.len() && i > 0 {
                continue;
            }
            return Parsed::Malformed(format!("`{word}[...]` has an empty rule name"));
        }
        if name.contains(char::is_whitespace) {
            return Parsed::Malformed(format!(
                "`{name}` is not a rule name; separate rules with commas"
            ));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Parsed::Malformed(format!(
                "`{name}` is not a rule code or name; there is no wildcard, name each rule"
            ));
        }
        rules.push(RuleRef {
            text: name.to_owned(),
            start,
            end: start + name.len(),
        });
    }
    let tail = list[close + 1..].trim();
    let reason = if tail.is_empty() {
        None
    } else if let Some(r) = tail.strip_prefix("--").or_else(|| tail.strip_prefix(':')) {
        Some(r.trim().to_owned()).filter(|r| !r.is_empty())
    } else {
        return Parsed::Malformed(format!(
            "unexpected `{tail}` after `]`; write a reason after `--`: `{word}[...] -- why`"
        ));
    };
    Parsed::Directive(Directive {
        scope,
        rules,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(p: &Parsed) -> Vec<&str> {
        match p {
            Parsed::Directive(d) => d.rules.iter().map(|r| r.text.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn accepted_spellings() {
        // (comment text after `#`, scope, rules, reason)
        let table: &[(&str, Scope, &[&str], Option<&str>)] = &[
            (" auditlint: ignore[AL103]", Scope::Line, &["AL103"], None),
            ("auditlint:ignore[AL103]", Scope::Line, &["AL103"], None),
            (" auditlint: ignore [AL103]", Scope::Line, &["AL103"], None),
            (
                "   auditlint:   ignore[AL103]   ",
                Scope::Line,
                &["AL103"],
                None,
            ),
            (
                " auditlint: ignore[audit-log-maxage]",
                Scope::Line,
                &["audit-log-maxage"],
                None,
            ),
            (" auditlint: ignore[al103]", Scope::Line, &["al103"], None),
            (
                " auditlint: ignore[AL103,AL104]",
                Scope::Line,
                &["AL103", "AL104"],
                None,
            ),
            (
                " auditlint: ignore[ AL103 , AL104, ]",
                Scope::Line,
                &["AL103", "AL104"],
                None,
            ),
            (
                " auditlint: ignore[AL103] -- logrotate on the node",
                Scope::Line,
                &["AL103"],
                Some("logrotate on the node"),
            ),
            (
                " auditlint: ignore[AL103]: legacy cluster",
                Scope::Line,
                &["AL103"],
                Some("legacy cluster"),
            ),
            (
                " auditlint: ignore[AL103] --",
                Scope::Line,
                &["AL103"],
                None,
            ),
            (
                " auditlint: ignore[AL103] -- a: b -- c",
                Scope::Line,
                &["AL103"],
                Some("a: b -- c"),
            ),
            (
                " auditlint: ignore-file[AL401]",
                Scope::File,
                &["AL401"],
                None,
            ),
            (
                " auditlint: ignore-file[AL401, AL402] -- no forwarder here",
                Scope::File,
                &["AL401", "AL402"],
                Some("no forwarder here"),
            ),
            (" auditlint: ignore[AL999]", Scope::Line, &["AL999"], None),
        ];
        for (text, scope, expected, reason) in table {
            let parsed = parse(text);
            let Parsed::Directive(d) = &parsed else {
                panic!("`#{text}` should be accepted, got {parsed:?}")
            };
            assert_eq!(d.scope, *scope, "`#{text}`");
            assert_eq!(rules(&parsed), *expected, "`#{text}`");
            assert_eq!(d.reason.as_deref(), *reason, "`#{text}`");
            for r in &d.rules {
                assert_eq!(
                    &text[r.start..r.end],
                    r.text,
                    "`#{text}`: span of {}",
                    r.text
                );
            }
        }
    }

    #[test]
    fn rejected_spellings() {
        let table = [
            " auditlint: ignore",
            " auditlint: ignore AL103",
            " auditlint: ignore[]",
            " auditlint: ignore[,]",
            " auditlint: ignore[AL103,,AL104]",
            " auditlint: ignore[AL103",
            " auditlint: ignore(AL103)",
            " auditlint: ignore[*]",
            " auditlint: ignore[all rules]",
            " auditlint: ignore[AL103 AL104]",
            " auditlint: ignore[AL103],AL104",
            " auditlint: ignore[AL103] because",
            " auditlint: ignored[AL103]",
            " auditlint: ignore-filex[AL103]",
            " auditlint: disable[AL103]",
            " auditlint: noqa",
            " auditlint ignore[AL103]",
        ];
        for text in table {
            assert!(
                matches!(parse(text), Parsed::Malformed(_)),
                "`#{text}` should be rejected, got {:?}",
                parse(text)
            );
        }
    }

    #[test]
    fn ordinary_comments_are_not_directives() {
        for text in [
            " a comment",
            "",
            " Source: chart/templates/apiserver.yaml",
            " auditlintrc: something",
            " auditlint",
            " see auditlint: ignore[AL103] in the docs",
            " Auditlint: ignore[AL103]",
        ] {
            assert_eq!(parse(text), Parsed::NotDirective, "`#{text}`");
        }
    }

    #[test]
    fn no_input_makes_it_panic() {
        let samples = [
            " auditlint:\u{3000}ignore\u{2003}[\u{e9}AL103\u{2003},\u{3000}]\u{2003}-- r\u{e9}",
            " auditlint: ignore-file[AL1\u{30a2}] : \u{1f600}",
            "auditlint:ignore[[]]]--",
        ];
        for sample in samples {
            for (i, _) in sample.char_indices() {
                let _ = parse(&sample[..i]);
                let _ = parse(&sample[i..]);
            }
        }
    }
}
