//! One module per output format; each renders a finished [`Report`](crate::engine::Report).

pub mod checkstyle;
pub mod clusters;
pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod location;
pub mod sarif;
pub mod snippet;
pub mod statistics;
pub mod xml;
