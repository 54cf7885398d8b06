//! auditlint: lints Kubernetes audit logging and log collection configuration before it is
//! deployed. Data flows one way: [`discover`] → [`yaml`] → `rules` (per document, then
//! over the `cluster` index) → [`suppress`] → [`output`]; [`engine`] drives it.
//!
//! The public surface is what the binary, the tests and library callers use: scan with
//! [`engine`] under a [`config::Config`], read [`finding`]s and the [`catalog`] of rules,
//! render with [`output`]. How rules are registered and run stays inside the crate.

pub mod autofix;
mod baseline;
pub mod cap;
pub mod catalog;
pub mod cli;
mod cluster;
pub mod config;
mod context;
pub mod discover;
pub mod docs;
pub mod engine;
pub mod finding;
mod fingerprint;
pub mod fix;
pub mod gitops;
pub mod helm;
pub mod host_files;
pub mod kustomize;
pub mod model;
pub mod output;
pub mod policy_cmd;
pub mod render;
pub mod renderer;
mod rules;
pub mod scope;
pub mod scratch;
pub mod select;
pub mod server;
pub mod source;
pub mod suppress;
pub mod version;
pub mod yaml;
