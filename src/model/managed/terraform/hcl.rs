//! HCL files read with `hcl-edit`, which keeps every node's byte span.

use std::ops::Range;
use std::sync::Arc;

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block, BlockLabel, Body as HclBody, Structure};
use hcl_edit::template::{Element, Template};
use hcl_edit::Span as _;

use super::{autoloaded_vars, dir_of, Body, Expr, Item, Kind, Module, Part};
use crate::source::SourceFile;
use crate::yaml::{Span, SyntaxError};

/// Reads an HCL file (`.tf`, or `.tfvars` for variable values); a file that does not parse
/// is a syntax error, reported like invalid YAML.
pub fn read(file: &Arc<SourceFile>) -> Result<Module, SyntaxError> {
    let body = hcl_edit::parser::parse_body(&file.text).map_err(|e| {
        let at = e.location().offset().min(file.text.len());
        SyntaxError {
            message: e.message().to_owned(),
            span: Span::point(at),
        }
    })?;
    let tfvars = file.path.to_ascii_lowercase().ends_with(".tfvars");
    let mut items = Vec::new();
    if tfvars {
        // Only the files Terraform loads by itself give values; another `.tfvars` is used
        // only when named on the command line, which nothing here can know.
        if autoloaded_vars(&file.path) {
            for a in body.attributes() {
                items.push(Item::Assign {
                    name: a.key.as_str().to_owned(),
                    value: expr(&a.value),
                });
            }
        }
    } else {
        for block in body.blocks() {
            items.extend(item(block));
        }
    }
    Ok(Module {
        file: Arc::clone(file),
        dir: dir_of(&file.path),
        items,
    })
}

fn item(block: &Block) -> Vec<Item> {
    let labels: Vec<&str> = block
        .labels
        .iter()
        .map(|l| match l {
            BlockLabel::Ident(i) => i.as_str(),
            BlockLabel::String(s) => s.value().as_str(),
        })
        .collect();
    match (block.ident.as_str(), labels.as_slice()) {
        ("variable", [name]) => vec![Item::Variable {
            name: (*name).to_owned(),
            default: block.body.get_attribute("default").map(|a| expr(&a.value)),
        }],
        ("locals", []) => block
            .body
            .attributes()
            .map(|a| Item::Local {
                name: a.key.as_str().to_owned(),
                value: expr(&a.value),
            })
            .collect(),
        ("resource", [kind, name]) => vec![Item::Resource {
            kind: (*kind).to_owned(),
            name: (*name).to_owned(),
            body: body(block),
        }],
        ("module", [name]) => vec![Item::Module {
            name: (*name).to_owned(),
            body: body(block),
        }],
        _ => Vec::new(),
    }
}

fn span(r: Option<Range<usize>>) -> Span {
    r.map_or(Span::default(), |r| Span::new(r.start, r.end))
}

fn body(block: &Block) -> Body {
    let whole = span(block.span());
    let head_end = block
        .labels
        .last()
        .and_then(|l| l.span())
        .or_else(|| block.ident.span())
        .map_or(whole.start, |r| r.end);
    // Before the closing brace: where a missing attribute goes.
    let insert = Span::point(whole.end.saturating_sub(1).max(head_end));
    let mut out = read_body(&block.body);
    out.head = Span::new(whole.start, head_end);
    out.insert = insert;
    out
}

fn read_body(b: &HclBody) -> Body {
    let mut out = Body::default();
    for s in b.iter() {
        match s {
            Structure::Attribute(a) => out.attrs.push((a.key.as_str().to_owned(), expr(&a.value))),
            Structure::Block(inner) => out
                .blocks
                .push((inner.ident.as_str().to_owned(), body(inner))),
        }
    }
    out
}

/// The dotted path of a reference (`var.x`, `aws_eks_cluster.this.name`); an index into a
/// counted resource (`aws_eks_cluster.this[0].name`) keeps its path without the index.
fn path(e: &Expression) -> Option<Vec<String>> {
    match e {
        Expression::Variable(v) => Some(vec![v.as_str().to_owned()]),
        Expression::Traversal(t) => {
            let mut p = path(&t.expr)?;
            for op in &t.operators {
                match op.value() {
                    TraversalOperator::GetAttr(i) => p.push(i.as_str().to_owned()),
                    TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_) => {}
                    _ => return None,
                }
            }
            Some(p)
        }
        _ => None,
    }
}

fn template(t: &Template) -> Kind {
    let parts: Vec<Part> = t
        .iter()
        .map(|el| match el {
            Element::Literal(s) => Part::Lit(s.value().clone()),
            Element::Interpolation(i) => path(&i.expr).map_or(Part::Other, Part::Path),
            Element::Directive(_) => Part::Other,
        })
        .collect();
    Kind::Template(parts)
}

fn expr(e: &Expression) -> Expr {
    let kind = match e {
        Expression::Null(_) => Kind::Null,
        Expression::Bool(b) => Kind::Bool(*b.value()),
        Expression::Number(n) => n.value().as_f64().map_or(Kind::Other, Kind::Num),
        Expression::String(s) => Kind::Str(s.value().clone()),
        Expression::Array(a) => Kind::List(a.iter().map(expr).collect()),
        Expression::Object(o) => Kind::Object(
            o.iter()
                .filter_map(|(k, v)| {
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_owned(),
                        ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                        ObjectKey::Expression(_) => return None,
                    };
                    Some((key, expr(v.expr())))
                })
                .collect(),
        ),
        Expression::StringTemplate(t) => template(t),
        Expression::HeredocTemplate(h) => template(&h.template),
        Expression::Parenthesis(p) => return expr(p.inner()),
        Expression::Variable(_) | Expression::Traversal(_) => {
            path(e).map_or(Kind::Other, Kind::Path)
        }
        _ => Kind::Other,
    };
    Expr {
        span: span(e.span()),
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(text: &str) -> Result<Module, SyntaxError> {
        read(&SourceFile::new("infra/main.tf", text))
    }

    #[test]
    fn spans_point_into_the_file() {
        let text = "resource \"aws_eks_cluster\" \"x\" {\n  name = \"a-${var.env}\"\n  enabled_cluster_log_types = [\"api\"]\n}\n";
        let m = module(text).unwrap();
        assert_eq!(m.dir, "infra");
        let Item::Resource { kind, body, .. } = &m.items[0] else {
            panic!("{:?}", m.items)
        };
        assert_eq!(kind, "aws_eks_cluster");
        assert_eq!(
            &text[body.head.start..body.head.end],
            "resource \"aws_eks_cluster\" \"x\""
        );
        let types = body.attr("enabled_cluster_log_types").unwrap();
        assert_eq!(&text[types.span.start..types.span.end], "[\"api\"]");
        assert_eq!(&text[body.insert.start..body.insert.start + 1], "}");
        assert_eq!(
            body.attr("name").unwrap().kind,
            Kind::Template(vec![
                Part::Lit("a-".into()),
                Part::Path(vec!["var".into(), "env".into()])
            ])
        );
    }

    #[test]
    fn invalid_hcl_is_a_syntax_error_at_its_position() {
        let text = "resource \"x\" \"y\" {\n  a = [1,\n";
        let e = module(text).unwrap_err();
        assert!(e.message.contains("expected"), "{}", e.message);
        // Within the unclosed list, not at the start of the file.
        assert!((20..=text.len()).contains(&e.span.start), "{e:?}");
        for text in ["", "}", "a = ${", "\u{feff}x = 1", "resource {{{{{{{{"] {
            let _ = module(text);
        }
    }
}
