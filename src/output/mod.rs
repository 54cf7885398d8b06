//! One module per output format; each renders a finished [`Report`](crate::engine::Report).

pub mod concise;
pub mod github;
pub mod human;
pub mod json;
pub mod location;
pub mod sarif;
pub mod snippet;
