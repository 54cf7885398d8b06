//! Alias bombs, judged the way Kubernetes judges them.
//!
//! Kubernetes decodes YAML with go-yaml v2 (through sigs.k8s.io/yaml), which expands every
//! alias while decoding and, since the fix for CVE-2019-11253, aborts a document with
//! "document contains excessive aliasing" once too many of the decoded nodes come from
//! alias expansion, and with "anchor 'x' value contains itself" on a recursive alias. We
//! never expand aliases in the tree, but a document the API server would reject must not be
//! linted as if it applied, so the same decode is counted here, in document order, with the
//! same thresholds. The count stops at the first failure: a bomb costs a few thousand steps,
//! and a document that passes costs at most its node count plus go-yaml's 4M-decode range.

use super::tree::{Document, NodeId, Value};
use super::Span;

/// go-yaml v2 `alias_ratio_range_low`/`_high`: up to 400k decodes, 99 % may come from
/// aliases; from 4M on, 10 %; linear in between.
const RANGE_LOW: u64 = 400_000;
const RANGE_HIGH: u64 = 4_000_000;

fn allowed_ratio(decodes: u64) -> f64 {
    if decodes <= RANGE_LOW {
        0.99
    } else if decodes >= RANGE_HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decodes - RANGE_LOW) as f64 / (RANGE_HIGH - RANGE_LOW) as f64)
    }
}

/// Why Kubernetes would refuse to decode the document, and where.
pub(crate) struct Rejected {
    pub message: String,
    pub span: Span,
}

enum Step {
    Visit(NodeId),
    /// Leaving the expansion of an alias of this anchor node.
    Leave(NodeId),
}

/// Replays go-yaml v2's decode of `doc` (document order, aliases expanded) and returns the
/// first reason it would fail, if any.
pub(crate) fn check(doc: &Document) -> Option<Rejected> {
    let root = doc.root?;
    if !doc.nodes.iter().any(|n| matches!(n.value, Value::Alias(_))) {
        return None;
    }
    // The document node itself is decoded first.
    let mut decodes: u64 = 1;
    let mut aliased: u64 = 0;
    // Anchors whose alias expansion is in progress (by node), and how many.
    let mut expanding = vec![false; doc.nodes.len()];
    let mut depth: u32 = 0;
    // The alias written in the document whose expansion is being decoded: where to point.
    let mut outer = root;
    let mut stack = vec![Step::Visit(root)];
    while let Some(step) = stack.pop() {
        let id = match step {
            Step::Leave(target) => {
                expanding[target as usize] = false;
                depth -= 1;
                continue;
            }
            Step::Visit(id) => id,
        };
        let node = &doc.nodes[id as usize];
        decodes += 1;
        if depth > 0 {
            aliased += 1;
        }
        if aliased > 100
            && decodes > 1000
            && aliased as f64 / decodes as f64 > allowed_ratio(decodes)
        {
            return Some(Rejected {
                message: format!(
                    "document contains excessive aliasing ({aliased} of the first {decodes} nodes come from alias expansion): Kubernetes' YAML decoder rejects it as an alias bomb"
                ),
                span: doc.nodes[outer as usize].span,
            });
        }
        match &node.value {
            Value::Scalar { .. } => {}
            Value::Seq(items) => stack.extend(items.iter().rev().map(|&i| Step::Visit(i))),
            Value::Map(pairs) => {
                for &(k, v) in pairs.iter().rev() {
                    stack.push(Step::Visit(v));
                    stack.push(Step::Visit(k));
                }
            }
            &Value::Alias(target) => {
                if expanding[target as usize] {
                    return Some(Rejected {
                        message: "anchor value contains itself: Kubernetes' YAML decoder rejects a recursive alias".into(),
                        span: node.span,
                    });
                }
                if depth == 0 {
                    outer = id;
                }
                expanding[target as usize] = true;
                depth += 1;
                stack.push(Step::Leave(target));
                stack.push(Step::Visit(target));
            }
        }
    }
    None
}
