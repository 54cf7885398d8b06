//! "Did you mean": the nearest valid name, if one is close enough to be a likely typo.

use strsim::damerau_levenshtein;

/// The candidate closest to `word`: a case-insensitive match first, otherwise the smallest
/// edit distance (transpositions count once, so `Meatadata` → `Metadata`) within about a
/// third of the word's length.
pub fn nearest(word: &str, candidates: &[&'static str]) -> Option<&'static str> {
    if word.is_empty() {
        return None;
    }
    if let Some(c) = candidates.iter().find(|c| c.eq_ignore_ascii_case(word)) {
        return Some(c);
    }
    let lower = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (damerau_levenshtein(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::policy::validate::fields::{LEVELS, RULE_FIELDS, STAGES};

    #[test]
    fn typos_find_the_intended_name() {
        let cases: &[(&str, &[&'static str], Option<&str>)] = &[
            ("Meatadata", LEVELS, Some("Metadata")),
            ("metadata", LEVELS, Some("Metadata")),
            ("REQUEST", LEVELS, Some("Request")),
            ("RequestResponce", LEVELS, Some("RequestResponse")),
            ("Full", LEVELS, None),
            ("RequestRecieved", STAGES, Some("RequestReceived")),
            ("verb", RULE_FIELDS, Some("verbs")),
            ("nonResourceUrls", RULE_FIELDS, Some("nonResourceURLs")),
            ("namespace", RULE_FIELDS, Some("namespaces")),
            ("x", RULE_FIELDS, None),
            ("", RULE_FIELDS, None),
        ];
        for &(word, candidates, want) in cases {
            assert_eq!(nearest(word, candidates), want, "{word}");
        }
    }
}
