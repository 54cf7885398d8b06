//! AL0xx: problems with the input itself.

use std::sync::Arc;

use super::registry::{Check, Rule};
use crate::catalog::Code;
use crate::context::DocCtx;
use crate::finding::Finding;
use crate::source::SourceFile;
use crate::yaml::{Item, Span, SyntaxError};

/// AL001, AL003–AL007 are reported by the scan as it reads its input and applies
/// suppressions; AL002 is a rule on each parsed document.
pub(super) const RULES: &[Rule] = &[
    Rule {
        codes: &[
            Code::AL001,
            Code::AL007,
            Code::AL003,
            Code::AL004,
            Code::AL005,
            Code::AL006,
        ],
        check: Check::Scan,
    },
    Rule {
        codes: &[Code::AL002],
        check: Check::Document(duplicate_keys),
    },
];

/// AL001: a document that does not parse.
pub fn syntax_error(file: &Arc<SourceFile>, error: &SyntaxError) -> Finding {
    Finding::new(Code::AL001, file, error.span)
        .message(format!(
            "this document is not valid YAML: {}",
            error.message
        ))
        .label(error.message.clone())
        .help("fix the syntax; the other documents in this file were still checked")
}

/// AL007: a Terraform file that is not valid HCL.
pub fn hcl_syntax_error(file: &Arc<SourceFile>, error: &SyntaxError) -> Finding {
    Finding::new(Code::AL007, file, error.span)
        .message(format!(
            "this Terraform file is not valid HCL, so Terraform refuses the whole directory: {}",
            error.message
        ))
        .label("cannot be parsed")
        .help("fix the syntax (`terraform validate` shows the same error)")
}

/// AL002: a key repeated in one mapping.
pub fn duplicate_keys(cx: &mut DocCtx<'_>) {
    for dup in &cx.doc.duplicates {
        let finding = cx
            .finding(Code::AL002, dup.second)
            .message(format!(
                "`{}` appears twice in this mapping: Kubernetes keeps the last value and silently drops the first, strict decoding rejects the object",
                dup.key
            ))
            .label("this value wins")
            .help(format!("keep one `{}` key and delete the other", dup.key))
            .related(cx.file, dup.first, "first occurrence, ignored");
        cx.report(finding);
    }
}

/// Whether `text` may be an unrendered template (cheap; decides whether the file gets the
/// closer look of [`unrendered_template`]).
pub fn may_be_template(text: &str) -> bool {
    // Most files have no `{{`/`{%` at all; a substring search settles them.
    (text.contains("{{") || text.contains("{%")) && template_marker(text).is_some()
}

/// AL003: a template file that cannot be linted as YAML: it has template syntax and either
/// does not parse, or a template action parsed as a YAML structure.
pub fn unrendered_template(file: &Arc<SourceFile>, items: &[Item]) -> Option<Finding> {
    let broken = items.iter().any(|i| matches!(i, Item::Error(_)));
    let at = if broken {
        template_marker(&file.text)?
    } else {
        items
            .iter()
            .find_map(|i| match i {
                Item::Document(d) => d.template_action(&file.text),
                Item::Error(_) => None,
            })?
            .start
    };
    let end = file.text[at..]
        .find('\n')
        .map_or(file.text.len(), |n| at + n);
    Some(
        Finding::new(Code::AL003, file, Span::new(at, end))
            .message("this file is a template ({{ }} or {% %} syntax), not YAML: it cannot be linted until it is rendered")
            .label("template syntax")
            .help("lint the rendered output instead: `helm template RELEASE CHART | auditlint check -` (or render the Jinja/ytt template first)"),
    )
}

/// Whether `text` (a value a rule read) holds template syntax: what will run is not known.
pub fn is_templated(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// AL003 as a note for a template file some of whose documents were linted (`linted` of
/// them): the others hold template syntax where YAML structure belongs.
pub fn partly_linted(mut not_linted: Finding, linted: usize) -> Finding {
    not_linted.severity = crate::finding::Severity::Note;
    if linted == 0 {
        return not_linted;
    }
    not_linted.message(format!(
        "this file is a template ({{{{ }}}} or {{% %}} syntax): its {linted} document{} without \
         template syntax {} linted, the others cannot be until the file is rendered",
        if linted == 1 { "" } else { "s" },
        if linted == 1 { "was" } else { "were" },
    ))
}

/// The offset of the first template action in a YAML position: a line that starts with
/// `{{`/`{%`, or a plain (unquoted) value that starts with one. Template syntax inside
/// quoted strings and block scalars (Argo Workflows' `{{inputs.parameters.x}}`) is data.
fn template_marker(text: &str) -> Option<usize> {
    let mut offset = 0;
    let mut block_indent: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let here = offset;
        offset += line.len();
        let body = line.trim_end();
        let trimmed = body.trim_start();
        let indent = body.len() - trimmed.len();
        if let Some(min) = block_indent {
            if trimmed.is_empty() || indent > min {
                continue;
            }
            block_indent = None;
        }
        if trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with("{{") || trimmed.starts_with("{%") {
            return Some(here + indent);
        }
        let value = trimmed.strip_prefix("- ").unwrap_or(trimmed);
        let value = match value.find(": ") {
            Some(colon) if !value[..colon].contains(['"', '\'']) => value[colon + 2..].trim_start(),
            _ => value,
        };
        if value.starts_with("{{") || value.starts_with("{%") {
            return Some(here + (body.len() - value.len()));
        }
        if value.starts_with('|') || value.starts_with('>') {
            block_indent = Some(indent);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::template_marker;

    #[test]
    fn template_syntax_in_yaml_positions() {
        assert_eq!(
            template_marker("a: 1\n{{- if .Values.x }}\nb: 2\n"),
            Some(5)
        );
        assert_eq!(template_marker("image: {{ .Values.image }}\n"), Some(7));
        assert_eq!(template_marker("- --flag={{x}}\n"), None);
        assert_eq!(template_marker("- {{ include \"x\" . }}\n"), Some(2));
        assert_eq!(template_marker("{% if x %}\n"), Some(0));
    }

    #[test]
    fn template_syntax_that_is_data() {
        assert_eq!(
            template_marker("args: [\"echo {{inputs.parameters.m}}\"]\n"),
            None
        );
        assert_eq!(template_marker("msg: \"{{x}}\"\n"), None);
        assert_eq!(
            template_marker("source: |\n  {{inputs.x}}\n  print(1)\nnext: 1\n"),
            None
        );
        assert_eq!(template_marker("# {{ comment }}\n"), None);
    }
}
