//! One module per output format; each renders a finished [`Report`](crate::engine::Report).

pub mod human;
pub mod json;
