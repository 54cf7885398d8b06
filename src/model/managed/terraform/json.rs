//! Terraform's JSON forms: `*.tf.json` (the same blocks as HCL, strings holding `${...}`
//! interpolations) and `terraform show -json` of a plan or a state, whose values are all
//! resolved.

use std::sync::Arc;

use super::{dir_of, Body, Expr, Item, Kind, Module, Part};
use crate::source::SourceFile;
use crate::yaml::{Node, Span};

/// Reads a `.tf.json` document or a plan; `None` for any other JSON.
pub fn read(root: Node<'_>, file: &Arc<SourceFile>) -> Option<Module> {
    let module = |items| Module {
        file: Arc::clone(file),
        dir: dir_of(&file.path),
        items,
    };
    if let Some(values) = root
        .path(&["planned_values", "root_module"])
        .or_else(|| root.path(&["values", "root_module"]))
        .filter(|_| root.get("format_version").is_some())
    {
        let mut items = Vec::new();
        planned(values, &mut items);
        return Some(module(items));
    }
    if !file.path.to_ascii_lowercase().ends_with(".tf.json") || !root.is_map() {
        return None;
    }
    let mut items = Vec::new();
    for (kind, blocks) in root.get("resource").into_iter().flat_map(|r| r.entries()) {
        for (name, b) in blocks.entries() {
            items.push(Item::Resource {
                kind: kind.str()?.to_owned(),
                name: name.str()?.to_owned(),
                body: body(name.span(), b),
            });
        }
    }
    for (name, b) in root.get("module").into_iter().flat_map(|m| m.entries()) {
        items.push(Item::Module {
            name: name.str()?.to_owned(),
            body: body(name.span(), b),
        });
    }
    for (name, b) in root.get("variable").into_iter().flat_map(|m| m.entries()) {
        items.push(Item::Variable {
            name: name.str()?.to_owned(),
            default: b.get("default").map(expr),
        });
    }
    for (name, v) in root.get("locals").into_iter().flat_map(|m| m.entries()) {
        items.push(Item::Local {
            name: name.str()?.to_owned(),
            value: expr(v),
        });
    }
    Some(module(items))
}

/// The resources of a plan's module and its child modules.
fn planned(module: Node<'_>, items: &mut Vec<Item>) {
    for r in module.get("resources").into_iter().flat_map(|r| r.items()) {
        let (Some(kind), Some(name), Some(values)) =
            (r.get_str("type"), r.get_str("name"), r.get("values"))
        else {
            continue;
        };
        if r.get_str("mode").is_some_and(|m| m != "managed") {
            continue;
        }
        let head = r.get("address").map_or(r.span(), |a| a.span());
        items.push(Item::Resource {
            kind: kind.to_owned(),
            name: name.to_owned(),
            body: body(head, values),
        });
    }
    for child in module
        .get("child_modules")
        .into_iter()
        .flat_map(|c| c.items())
    {
        planned(child, items);
    }
}

/// A block's body: every entry as an attribute, and objects (or lists of objects) as nested
/// blocks too, since JSON does not tell them apart.
fn body(head: Span, b: Node<'_>) -> Body {
    let mut out = Body {
        head,
        insert: Span::point(b.span().start + 1),
        ..Body::default()
    };
    for (k, v) in b.entries() {
        let Some(key) = k.str() else { continue };
        if v.is_map() {
            out.blocks.push((key.to_owned(), body(k.span(), v)));
        } else if v.is_seq() && v.items().all(|i| i.is_map()) {
            for i in v.items() {
                out.blocks.push((key.to_owned(), body(k.span(), i)));
            }
        }
        out.attrs.push((key.to_owned(), expr(v)));
    }
    out
}

fn expr(n: Node<'_>) -> Expr {
    let kind = if n.is_seq() {
        Kind::List(n.items().map(expr).collect())
    } else if n.is_map() {
        Kind::Object(
            n.entries()
                .filter_map(|(k, v)| Some((k.str()?.to_owned(), expr(v))))
                .collect(),
        )
    } else if n.is_null() {
        Kind::Null
    } else {
        match n.scalar() {
            Some(s) => match (s.as_bool(), s.as_int(), n.str()) {
                (Some(b), _, _) if !matches!(n.style(), Some(crate::yaml::Style::DoubleQuoted)) => {
                    Kind::Bool(b)
                }
                (_, Some(i), _) if !matches!(n.style(), Some(crate::yaml::Style::DoubleQuoted)) => {
                    Kind::Num(i as f64)
                }
                (_, _, Some(text)) => interpolated(text),
                _ => Kind::Other,
            },
            None => Kind::Other,
        }
    };
    Expr {
        span: n.span(),
        kind,
    }
}

/// A JSON string: a literal, a whole `${reference}`, or a template.
pub fn interpolated(text: &str) -> Kind {
    if !text.contains("${") {
        return Kind::Str(text.to_owned());
    }
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        if start > 0 {
            parts.push(Part::Lit(rest[..start].to_owned()));
        }
        let Some(len) = rest[start..].find('}') else {
            return Kind::Other;
        };
        let inner = rest[start + 2..start + len].trim();
        parts.push(match reference(inner) {
            Some(p) => Part::Path(p),
            None => Part::Other,
        });
        rest = &rest[start + len + 1..];
    }
    if !rest.is_empty() {
        parts.push(Part::Lit(rest.to_owned()));
    }
    match parts.as_slice() {
        [Part::Path(p)] => Kind::Path(p.clone()),
        _ => Kind::Template(parts),
    }
}

/// `var.x`, `aws_eks_cluster.this[0].name` as a path; anything else is not a reference.
fn reference(text: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for part in text.split('.') {
        let part = part.split('[').next()?;
        if part.is_empty()
            || !part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return None;
        }
        out.push(part.to_owned());
    }
    Some(out)
}
