//! Forms that spell each audit flag as a field of their own (kops `auditLogMaxAge`,
//! kubespray `audit_log_maxage`): read the fields into flags, spans on the fields.

use super::flags::{inner_span, Flag};
use crate::source::SourceFile;
use crate::yaml::{Node, Span};

/// The flags `map` sets through `fields` (field name, flag name), in written order.
pub fn read(map: Node<'_>, fields: &[(&str, &str)], file: &SourceFile) -> Vec<Flag> {
    map.entries()
        .filter_map(|(k, v)| {
            let key = k.text()?;
            let (_, flag) = fields.iter().find(|(field, _)| *field == key)?;
            let raw = v.text()?;
            Some(Flag {
                name: (*flag).to_owned(),
                value: Some(raw.to_owned()),
                span: Span::new(k.span().start, v.span().end.max(k.span().end)),
                value_span: inner_span(v.span(), &file.text, raw),
            })
        })
        .collect()
}

/// The field that sets `flag`.
pub fn field_for<'f>(fields: &[(&'f str, &str)], flag: &str) -> Option<&'f str> {
    fields
        .iter()
        .find(|(_, f)| *f == flag)
        .map(|(field, _)| *field)
}
