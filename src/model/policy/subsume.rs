//! Sound rule subsumption for AL209: `covers(a, b)` is true only when every request rule `b`
//! can match is provably matched by rule `a` too. Anything not provable is `false`, so a
//! later rule is never called dead by mistake.

use super::matcher::group_wildcard;
use super::{GroupResources, Located, Rule};

/// Whether `a` matches every request `b` matches.
pub fn covers(a: &Rule, b: &Rule, version: Option<(u32, u32)>) -> bool {
    // A rule that could not be decoded may match less than it reads: it proves nothing.
    a.undecodable.is_none()
        && list_covers(&a.users, &b.users)
        && list_covers(&a.user_groups, &b.user_groups)
        && list_covers(&a.verbs, &b.verbs)
        && selector_covers(a, b, version)
}

/// An empty list in `a` accepts everything; otherwise `b` must be restricted to a subset.
fn list_covers(a: &[Located], b: &[Located]) -> bool {
    a.is_empty() || (!b.is_empty() && b.iter().all(|x| a.iter().any(|y| y.value == x.value)))
}

fn selector_covers(a: &Rule, b: &Rule, version: Option<(u32, u32)>) -> bool {
    if a.is_resource_rule() {
        // Only resource requests reach `a`'s matcher: `b` must be a resource rule too.
        b.is_resource_rule()
            && list_covers(&a.namespaces, &b.namespaces)
            && resources_cover(&a.resources, &b.resources, version)
    } else if !a.non_resource_urls.is_empty() {
        b.is_non_resource_rule()
            && b.non_resource_urls.iter().all(|u| {
                a.non_resource_urls
                    .iter()
                    .any(|p| url_covers(&p.value, &u.value))
            })
    } else {
        true
    }
}

fn resources_cover(
    a: &[GroupResources],
    b: &[GroupResources],
    version: Option<(u32, u32)>,
) -> bool {
    if a.is_empty() {
        return true;
    }
    if b.is_empty() {
        // `b` matches every resource of every group.
        return a.iter().any(|ga| {
            group_covers(ga.group(), "*", version)
                && ga.resource_names.is_empty()
                && (ga.resources.is_empty() || ga.resources.iter().any(|r| r.value == "*"))
        });
    }
    b.iter().all(|gb| entry_covered(a, gb, version))
}

fn entry_covered(a: &[GroupResources], gb: &GroupResources, version: Option<(u32, u32)>) -> bool {
    if gb.resources.is_empty() {
        // Every resource and subresource of gb's group, any name.
        return a.iter().any(|ga| {
            group_covers(ga.group(), gb.group(), version)
                && (ga.resources.is_empty()
                    || (ga.resource_names.is_empty()
                        && ga.resources.iter().any(|r| r.value == "*")))
        });
    }
    gb.resources.iter().all(|rb| {
        a.iter().any(|ga| {
            group_covers(ga.group(), gb.group(), version)
                && (ga.resources.is_empty()
                    || (list_covers(&ga.resource_names, &gb.resource_names)
                        && ga
                            .resources
                            .iter()
                            .any(|ra| pattern_covers(&ra.value, &rb.value))))
        })
    })
}

/// Group `a` matches every request group `b` matches (`b` may be `*`: every group).
fn group_covers(a: &str, b: &str, version: Option<(u32, u32)>) -> bool {
    a == b || (a == "*" && group_wildcard(version))
}

/// Resource pattern `a` matches every request pattern `b` matches.
fn pattern_covers(a: &str, b: &str) -> bool {
    if a == "*" || a == b {
        return true;
    }
    // `R/*` matches R and all of its subresources: `R`, `R/x`, `R/*`.
    if let Some(res) = a.strip_suffix("/*") {
        if b == res
            || b.strip_prefix(res)
                .is_some_and(|rest| rest.starts_with('/'))
        {
            return !res.contains('*');
        }
    }
    // `*/S` matches subresource S of any resource: `X/S` (X a concrete resource).
    if let Some(sub) = a.strip_prefix("*/") {
        if let Some((res, bsub)) = b.split_once('/') {
            return bsub == sub && !sub.contains('*') && res != "*" && !res.is_empty();
        }
    }
    false
}

/// URL spec `a` matches every path spec `b` matches.
fn url_covers(a: &str, b: &str) -> bool {
    if a == "*" || a == b {
        return true;
    }
    if b == "*" {
        return false;
    }
    match a.strip_suffix('*') {
        Some(_) => {
            let prefix = a.trim_end_matches('*');
            b.trim_end_matches('*').starts_with(prefix)
        }
        None => false,
    }
}
