//! Terraform and OpenTofu: HCL files (`*.tf`, `*.tfvars`), their JSON form (`*.tf.json`) and
//! `terraform show -json` plans are read into one small tree ([`Module`]); once every file
//! is read, each directory's blocks are resolved together ([`resolve`]) and turned into the
//! facts of [`super`] ([`resources`]).
//!
//! Values are resolved only when they are certain: literals, `var.X` with a value in
//! `terraform.tfvars` or `*.auto.tfvars` of the same directory or else its default, and
//! `local.X` when that is itself resolvable. Anything else (a function call, another
//! resource's attribute, a variable set only on the command line) is unknown, and a rule
//! says nothing about an unknown value.

pub mod eks_module;
pub mod hcl;
pub mod json;
pub mod resolve;
pub mod resources;

use std::sync::Arc;

use crate::source::SourceFile;
use crate::yaml::Span;

/// What one file contributes to its directory's module.
#[derive(Debug, Clone)]
pub struct Module {
    pub file: Arc<SourceFile>,
    /// The directory, as the file's shown path has it: files of one directory are one
    /// module.
    pub dir: String,
    /// A plan's resources hold resolved values, so they need no special case.
    pub items: Vec<Item>,
}

#[derive(Debug, Clone)]
pub enum Item {
    Variable {
        name: String,
        default: Option<Expr>,
    },
    /// A value in a `.tfvars` file.
    Assign {
        name: String,
        value: Expr,
    },
    Local {
        name: String,
        value: Expr,
    },
    Resource {
        kind: String,
        name: String,
        body: Body,
    },
    Module {
        name: String,
        body: Body,
    },
}

/// A block's contents.
#[derive(Debug, Clone, Default)]
pub struct Body {
    /// The block's header (its type and labels): where a finding about the block points.
    pub head: Span,
    /// Where an attribute the block lacks would be inserted.
    pub insert: Span,
    pub attrs: Vec<(String, Expr)>,
    pub blocks: Vec<(String, Body)>,
}

impl Body {
    pub fn attr(&self, key: &str) -> Option<&Expr> {
        self.attrs.iter().find(|(k, _)| k == key).map(|(_, e)| e)
    }

    pub fn blocks<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = &'a Body> + 'a {
        self.blocks
            .iter()
            .filter(move |(k, _)| k == ident)
            .map(|(_, b)| b)
    }
}

/// An expression, reduced to what resolution needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub span: Span,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    List(Vec<Expr>),
    Object(Vec<(String, Expr)>),
    /// A reference: `var.x`, `local.y`, `aws_eks_cluster.this.name`.
    Path(Vec<String>),
    /// A string with interpolations.
    Template(Vec<Part>),
    /// Anything else (a function call, a condition, a `for`).
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Lit(String),
    Path(Vec<String>),
    Other,
}

/// Whether `path` names a file this module reads.
pub fn is_terraform(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".tf") || lower.ends_with(".tfvars") || lower.ends_with(".tf.json")
}

/// Whether `path` is read as HCL (`.tf`, `.tfvars`), not as JSON.
pub fn is_hcl(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".tf") || lower.ends_with(".tfvars")
}

/// The directory part of a shown path.
pub fn dir_of(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => path[..i].to_owned(),
        None => ".".to_owned(),
    }
}

/// Whether a `.tfvars` file of a directory is one Terraform loads by itself.
pub fn autoloaded_vars(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "terraform.tfvars"
        || name == "terraform.tfvars.json"
        || name.ends_with(".auto.tfvars")
        || name.ends_with(".auto.tfvars.json")
}
