//! Scalar resolution as Kubernetes does it: go-yaml v2, which follows YAML 1.1.
//!
//! `yes`/`on`/`y` are booleans, `0644` is octal (420), `1_000` is 1000, and only plain
//! (unquoted, untagged) scalars are ever anything but strings.

use super::Style;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
}

impl<'a> Scalar<'a> {
    pub fn as_int(self) -> Option<i64> {
        match self {
            Scalar::Int(i) => Some(i),
            _ => None,
        }
    }

    pub fn as_bool(self) -> Option<bool> {
        match self {
            Scalar::Bool(b) => Some(b),
            _ => None,
        }
    }
}

/// Resolves one scalar; `tag` is the explicit tag's suffix (`str` for `!!str`).
pub fn resolve<'a>(text: &'a str, style: Style, tag: Option<&str>) -> Scalar<'a> {
    match tag {
        Some("str") => return Scalar::Str(text),
        Some("int") => return int(text).map_or(Scalar::Str(text), Scalar::Int),
        Some("bool") => return bool(text).map_or(Scalar::Str(text), Scalar::Bool),
        Some("null") => return Scalar::Null,
        _ => {}
    }
    if style != Style::Plain {
        return Scalar::Str(text);
    }
    if is_null(text, style, tag) {
        return Scalar::Null;
    }
    if let Some(b) = bool(text) {
        return Scalar::Bool(b);
    }
    if let Some(i) = int(text) {
        return Scalar::Int(i);
    }
    if let Some(f) = float(text) {
        return Scalar::Float(f);
    }
    Scalar::Str(text)
}

/// Whether a scalar resolves to null: what [`resolve`] says, without trying the numbers.
pub fn is_null(text: &str, style: Style, tag: Option<&str>) -> bool {
    match tag {
        Some("null") => true,
        Some("str" | "int" | "bool") => false,
        _ => style == Style::Plain && matches!(text, "" | "~" | "null" | "Null" | "NULL"),
    }
}

fn bool(text: &str) -> Option<bool> {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Some(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Some(false)
        }
        _ => None,
    }
}

fn int(text: &str) -> Option<i64> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    // Every YAML 1.1 integer starts with a digit after its sign.
    if !body.as_bytes().first()?.is_ascii_digit() {
        return None;
    }
    let digits: String = body.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() {
        return None;
    }
    let (radix, digits) = if let Some(rest) = digits.strip_prefix("0b") {
        (2, rest.to_owned())
    } else if let Some(rest) = digits.strip_prefix("0x") {
        (16, rest.to_owned())
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, digits[1..].to_owned())
    } else {
        (10, digits)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i64::from_str_radix(&digits, radix).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

fn float(text: &str) -> Option<f64> {
    match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    let looks_numeric = cleaned
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        && cleaned.chars().any(|c| c.is_ascii_digit());
    if looks_numeric {
        cleaned.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_null_agrees_with_resolve() {
        let texts = [
            "", "~", "null", "Null", "NULL", "nul", "0", "1_0", "1e3", "yes", "a",
        ];
        let styles = [Style::Plain, Style::SingleQuoted, Style::DoubleQuoted];
        let tags = [
            None,
            Some("null"),
            Some("str"),
            Some("int"),
            Some("bool"),
            Some("x"),
        ];
        for text in texts {
            for style in styles {
                for tag in tags {
                    assert_eq!(
                        is_null(text, style, tag),
                        resolve(text, style, tag) == Scalar::Null,
                        "{text:?} {style:?} {tag:?}"
                    );
                }
            }
        }
    }

    fn plain(text: &str) -> Scalar<'_> {
        resolve(text, Style::Plain, None)
    }

    #[test]
    fn yaml_1_1_booleans() {
        for t in ["yes", "Yes", "on", "ON", "y", "true"] {
            assert_eq!(plain(t), Scalar::Bool(true), "{t}");
        }
        for t in ["no", "off", "N", "False"] {
            assert_eq!(plain(t), Scalar::Bool(false), "{t}");
        }
        assert_eq!(plain("yess"), Scalar::Str("yess"));
    }

    #[test]
    fn integers_in_every_go_yaml_v2_form() {
        assert_eq!(plain("0644"), Scalar::Int(420));
        assert_eq!(plain("1_000"), Scalar::Int(1000));
        assert_eq!(plain("0x1F"), Scalar::Int(31));
        assert_eq!(plain("0b101"), Scalar::Int(5));
        assert_eq!(plain("-30"), Scalar::Int(-30));
        assert_eq!(plain("0"), Scalar::Int(0));
        assert_eq!(plain("089"), Scalar::Float(89.0));
    }

    #[test]
    fn quoted_and_tagged_scalars_are_strings() {
        assert_eq!(resolve("30", Style::DoubleQuoted, None), Scalar::Str("30"));
        assert_eq!(
            resolve("yes", Style::SingleQuoted, None),
            Scalar::Str("yes")
        );
        assert_eq!(resolve("30", Style::Plain, Some("str")), Scalar::Str("30"));
    }

    #[test]
    fn nulls() {
        for t in ["", "~", "null", "NULL"] {
            assert_eq!(plain(t), Scalar::Null, "{t:?}");
        }
        assert_eq!(resolve("", Style::DoubleQuoted, None), Scalar::Str(""));
    }

    #[test]
    fn floats_and_strings() {
        assert_eq!(plain("1.5"), Scalar::Float(1.5));
        assert_eq!(plain("1e3"), Scalar::Float(1000.0));
        assert_eq!(plain("30d"), Scalar::Str("30d"));
        assert_eq!(plain("-"), Scalar::Str("-"));
        assert_eq!(
            plain("/var/log/audit.log"),
            Scalar::Str("/var/log/audit.log")
        );
    }
}
