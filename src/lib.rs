//! auditlint: lints Kubernetes audit logging and log collection configuration before it is
//! deployed. Data flows one way: [`discover`] → [`yaml`] → [`rules`] (per document, then
//! over the [`cluster`] index) → [`suppress`] → [`output`]; [`engine`] drives it.

pub mod cap;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod context;
pub mod discover;
pub mod docs;
pub mod engine;
pub mod finding;
pub mod fingerprint;
pub mod gitops;
pub mod helm;
pub mod host_files;
pub mod kustomize;
pub mod model;
pub mod output;
pub mod policy_cmd;
pub mod render;
pub mod rules;
pub mod scope;
pub mod scratch;
pub mod select;
pub mod server;
pub mod source;
pub mod suppress;
pub mod version;
pub mod yaml;
