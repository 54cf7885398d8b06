//! The values of one directory's expressions: literals, variables (a value in an
//! auto-loaded `.tfvars`, else the default) and locals. Nothing is guessed: what cannot be
//! resolved is `None`.

use std::collections::HashMap;

use super::{Body, Expr, Item, Kind, Module, Part};

/// A resolved value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    List(Vec<Value>),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Str(s) if s == "true" || s == "false" => Some(s == "true"),
            _ => None,
        }
    }

    pub fn as_days(&self) -> Option<u32> {
        match self {
            Value::Num(n) if *n >= 0.0 && n.fract() == 0.0 => Some(*n as u32),
            Value::Str(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// A list of strings.
    pub fn strings(&self) -> Option<Vec<String>> {
        match self {
            Value::List(items) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => None,
        }
    }
}

/// What a directory's expressions can refer to.
pub struct Scope<'m> {
    vars: HashMap<&'m str, &'m Expr>,
    locals: HashMap<&'m str, &'m Expr>,
    /// Each resource's name, for references to it (`aws_eks_cluster.this.name`).
    names: HashMap<(String, String), &'m Expr>,
}

/// How deep locals may refer to each other before resolution gives up (a cycle).
const MAX_DEPTH: usize = 16;

impl<'m> Scope<'m> {
    pub fn new(modules: &[&'m Module]) -> Self {
        let mut scope = Scope {
            vars: HashMap::new(),
            locals: HashMap::new(),
            names: HashMap::new(),
        };
        let mut assigned = HashMap::new();
        for item in modules.iter().flat_map(|m| &m.items) {
            match item {
                Item::Variable {
                    name,
                    default: Some(d),
                } => {
                    scope.vars.entry(name.as_str()).or_insert(d);
                }
                Item::Assign { name, value } => {
                    assigned.insert(name.as_str(), value);
                }
                Item::Local { name, value } => {
                    scope.locals.insert(name.as_str(), value);
                }
                Item::Resource { kind, name, body } => {
                    if let Some(n) = body.attr("name") {
                        scope.names.insert((kind.clone(), name.clone()), n);
                    }
                }
                _ => {}
            }
        }
        // A value in terraform.tfvars or *.auto.tfvars wins over the default.
        scope.vars.extend(assigned);
        scope
    }

    /// The value of `e`, when it is certain.
    pub fn value(&self, e: &Expr) -> Option<Value> {
        self.value_at(e, 0)
    }

    fn value_at(&self, e: &Expr, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        Some(match &e.kind {
            Kind::Str(s) => Value::Str(s.clone()),
            Kind::Num(n) => Value::Num(*n),
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Null => Value::Null,
            Kind::List(items) => Value::List(
                items
                    .iter()
                    .map(|i| self.value_at(i, depth + 1))
                    .collect::<Option<_>>()?,
            ),
            Kind::Path(p) => return self.path_value(p, depth),
            Kind::Template(parts) => {
                let mut s = String::new();
                for part in parts {
                    match part {
                        Part::Lit(l) => s.push_str(l),
                        Part::Path(p) => match self.path_value(p, depth)? {
                            Value::Str(v) => s.push_str(&v),
                            Value::Num(n) => s.push_str(&n.to_string()),
                            _ => return None,
                        },
                        Part::Other => return None,
                    }
                }
                Value::Str(s)
            }
            Kind::Object(_) | Kind::Other => return None,
        })
    }

    fn path_value(&self, p: &[String], depth: usize) -> Option<Value> {
        let target = match p {
            [root, name] if root == "var" => self.vars.get(name.as_str())?,
            [root, name] if root == "local" => self.locals.get(name.as_str())?,
            _ => return None,
        };
        self.value_at(target, depth + 1)
    }

    /// A name, for matching one resource to another: its value when certain, else the text
    /// with each unresolved reference kept (`${var.cluster}`), and a reference to a resource
    /// whose own name is unknown written `{kind.name}`, so that two uses of the same
    /// reference still match.
    pub fn name(&self, e: &Expr) -> Option<String> {
        self.name_at(e, 0)
    }

    fn name_at(&self, e: &Expr, depth: usize) -> Option<String> {
        if let Some(Value::Str(s)) = self.value(e) {
            return Some(s);
        }
        if depth > MAX_DEPTH {
            return None;
        }
        match &e.kind {
            Kind::Path(p) => Some(self.path_name(p, depth)),
            Kind::Template(parts) => {
                let mut s = String::new();
                for part in parts {
                    match part {
                        Part::Lit(l) => s.push_str(l),
                        Part::Path(p) => s.push_str(&self.path_name(p, depth)),
                        Part::Other => return None,
                    }
                }
                Some(s)
            }
            _ => None,
        }
    }

    fn path_name(&self, p: &[String], depth: usize) -> String {
        if let Some(Value::Str(s)) = self.path_value(p, 0) {
            return s;
        }
        match p {
            [kind, name, attr] if attr == "name" || attr == "id" => {
                let key = (kind.clone(), name.clone());
                let own = self.names.get(&key).filter(|_| attr == "name");
                match own.and_then(|n| self.name_at(n, depth + 1)) {
                    Some(s) => s,
                    None => format!("{{{kind}.{name}}}"),
                }
            }
            _ => format!("${{{}}}", p.join(".")),
        }
    }
}

/// The modules of one scan grouped by directory, in a stable order.
pub fn by_directory(modules: &[Module]) -> Vec<Vec<&Module>> {
    let mut dirs: Vec<(&str, Vec<&Module>)> = Vec::new();
    for m in modules {
        match dirs.iter_mut().find(|(d, _)| *d == m.dir) {
            Some((_, ms)) => ms.push(m),
            None => dirs.push((&m.dir, vec![m])),
        }
    }
    dirs.sort_by(|a, b| a.0.cmp(b.0));
    dirs.into_iter()
        .map(|(_, mut ms)| {
            ms.sort_by(|a, b| a.file.path.cmp(&b.file.path));
            ms
        })
        .collect()
}

/// A block attribute's value, with the expression it was read from.
pub fn attr<'b>(scope: &Scope<'_>, body: &'b Body, key: &str) -> Option<(&'b Expr, Option<Value>)> {
    let e = body.attr(key)?;
    Some((e, scope.value(e)))
}
