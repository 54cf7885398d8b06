//! `auditlint server`: a Language Server over standard input and output.
//!
//! The editor's open YAML and JSON documents are scanned together with the rest of the
//! workspace on disk (the cluster scope), after every open, change, save and close; each open
//! document then gets its diagnostics. Messages that arrive together are handled before one
//! scan, so fast typing costs one scan, not one per keystroke. Hover on a finding shows its
//! rule's documentation; code actions offer the findings' fixes.

mod actions;
mod diagnostics;
mod position;
mod scan;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, LogMessage, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, RegisterCapability, Request as _};
use lsp_types::{
    CodeActionParams, CodeActionProviderCapability, DidChangeTextDocumentParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, FileSystemWatcher, GlobPattern, Hover, HoverContents, HoverParams,
    HoverProviderCapability, InitializeParams, LogMessageParams, MarkupContent, MarkupKind,
    MessageType, PositionEncodingKind, PublishDiagnosticsParams, Registration, RegistrationParams,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};

use crate::finding::Finding;
use crate::source::SourceFile;
use position::Encoding;
use scan::{Document, Results};

/// Serves on standard input and output until the client says `exit`.
pub fn run() -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    serve(connection)?;
    io_threads.join().map_err(|e| e.to_string())
}

/// The whole session on `connection`: initialisation, then messages until `exit`.
pub fn serve(connection: Connection) -> Result<(), String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    let encoding = negotiate_encoding(&params);
    let capabilities = ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..Default::default()
    };
    let result = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": ServerInfo {
            name: "auditlint".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    watch_files(&connection, &params)?;
    let mut server = Server {
        root: workspace_root(&params),
        encoding,
        open: BTreeMap::new(),
        results: Results::default(),
        published: Vec::new(),
        stale: false,
    };
    server.main_loop(&connection)
}

struct Server {
    /// The workspace directory whose files make up the cluster scope.
    root: Option<PathBuf>,
    encoding: Encoding,
    /// Open documents by URI.
    open: BTreeMap<String, Document>,
    /// The last scan.
    results: Results,
    /// Documents last sent a non-empty diagnostic list (they get an empty one when clean).
    published: Vec<String>,
    /// Something changed since the last scan.
    stale: bool,
}

impl Server {
    fn main_loop(&mut self, connection: &Connection) -> Result<(), String> {
        while let Ok(message) = connection.receiver.recv() {
            if self.handle(connection, message)? {
                return Ok(());
            }
            // Take everything already queued (a burst of edits) before scanning once.
            while let Ok(message) = connection.receiver.try_recv() {
                if self.handle(connection, message)? {
                    return Ok(());
                }
            }
            self.refresh(connection)?;
        }
        Ok(())
    }

    /// Handles one message; `true` when the session is over.
    fn handle(&mut self, connection: &Connection, message: Message) -> Result<bool, String> {
        match message {
            Message::Request(request) => {
                if connection
                    .handle_shutdown(&request)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(true);
                }
                // Answers reflect every edit received before the request.
                self.refresh(connection)?;
                let response = self.respond(request);
                send(connection, Message::Response(response))?;
            }
            Message::Notification(note) => self.notified(note),
            Message::Response(_) => {}
        }
        Ok(false)
    }

    fn notified(&mut self, note: Notification) {
        match note.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(note.params) {
                    let key = p.text_document.uri.as_str().to_owned();
                    if !is_yaml_or_json(&p.text_document.language_id, &key) {
                        return;
                    }
                    self.open.insert(
                        key.clone(),
                        Document {
                            path: document_path(&key),
                            key,
                            text: p.text_document.text,
                        },
                    );
                    self.stale = true;
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(note.params) {
                    // Full synchronisation: the last change holds the whole text.
                    let doc = self.open.get_mut(p.text_document.uri.as_str());
                    if let (Some(doc), Some(change)) = (doc, p.content_changes.into_iter().last()) {
                        doc.text = change.text;
                        self.stale = true;
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(note.params) {
                    self.open.remove(p.text_document.uri.as_str());
                    self.stale = true;
                }
            }
            // Files on disk may have changed (a save, another tool, `git checkout`).
            DidSaveTextDocument::METHOD | DidChangeWatchedFiles::METHOD => self.stale = true,
            _ => {}
        }
    }

    fn respond(&self, request: Request) -> Response {
        let id = request.id.clone();
        match request.method.as_str() {
            HoverRequest::METHOD => match serde_json::from_value::<HoverParams>(request.params) {
                Ok(p) => ok(id, self.hover(&p)),
                Err(e) => invalid(id, e),
            },
            CodeActionRequest::METHOD => {
                match serde_json::from_value::<CodeActionParams>(request.params) {
                    Ok(p) => ok(id, self.code_actions(&p)),
                    Err(e) => invalid(id, e),
                }
            }
            _ => Response::new_err(
                id,
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("unsupported request {}", request.method),
            ),
        }
    }

    /// Rescans when something changed, and publishes every open document's diagnostics.
    fn refresh(&mut self, connection: &Connection) -> Result<(), String> {
        if !self.stale {
            return Ok(());
        }
        self.stale = false;
        let before = std::mem::take(&mut self.results.problems);
        self.results = scan::scan(self.root.as_deref(), &self.open);
        // Each problem is logged once, not on every keystroke while it lasts.
        for problem in self.results.problems.iter().filter(|p| !before.contains(p)) {
            let log = LogMessageParams {
                typ: MessageType::WARNING,
                message: problem.clone(),
            };
            send(connection, notification::<LogMessage>(log))?;
        }
        let uris = self.uris();
        let mut published = Vec::new();
        // Open documents, and those that had diagnostics before (closed ones are cleared).
        let keys: Vec<String> = self
            .open
            .keys()
            .chain(self.published.iter())
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        for key in keys {
            let Ok(uri) = key.parse::<Uri>() else {
                continue;
            };
            let findings = match self.open.contains_key(&key) {
                true => self
                    .results
                    .findings
                    .get(&key)
                    .map_or(&[][..], Vec::as_slice),
                false => &[],
            };
            let diagnostics = findings
                .iter()
                .map(|f| diagnostics::diagnostic(f, self.encoding, &uris))
                .collect::<Vec<_>>();
            if !diagnostics.is_empty() {
                published.push(key.clone());
            }
            let params = PublishDiagnosticsParams {
                uri,
                diagnostics,
                version: None,
            };
            send(connection, notification::<PublishDiagnostics>(params))?;
        }
        self.published = published;
        Ok(())
    }

    /// The scan's file names (as findings' related places name them) → URIs.
    fn uris(&self) -> HashMap<String, Uri> {
        self.results
            .uris
            .iter()
            .filter_map(|(name, key)| Some((name.clone(), key.parse().ok()?)))
            .collect()
    }

    /// The findings of an open document whose span covers `at`.
    fn findings_at(&self, uri: &Uri, at: lsp_types::Position) -> Vec<&Finding> {
        let Some(doc) = self.open.get(uri.as_str()) else {
            return Vec::new();
        };
        let file = SourceFile::new("", doc.text.as_str());
        let offset = position::offset(&file, at, self.encoding);
        self.results
            .findings
            .get(uri.as_str())
            .map(|found| {
                found
                    .iter()
                    .filter(|f| diagnostics::covers(f, offset))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn hover(&self, p: &HoverParams) -> Option<Hover> {
        let at = &p.text_document_position_params;
        let findings = self.findings_at(&at.text_document.uri, at.position);
        if findings.is_empty() {
            return None;
        }
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: diagnostics::hover_text(&findings),
            }),
            range: Some(position::range(
                &findings[0].file,
                findings[0].span,
                self.encoding,
            )),
        })
    }

    fn code_actions(&self, p: &CodeActionParams) -> Vec<lsp_types::CodeActionOrCommand> {
        let mut found = self.findings_at(&p.text_document.uri, p.range.start);
        if p.range.end != p.range.start {
            for f in self.findings_at(&p.text_document.uri, p.range.end) {
                if !found.iter().any(|g| std::ptr::eq(*g, f)) {
                    found.push(f);
                }
            }
        }
        found
            .into_iter()
            .flat_map(|f| actions::for_finding(f, &p.text_document.uri, self.encoding))
            .collect()
    }
}

/// Asks the client to say when YAML and JSON files (the configuration included) change on
/// disk, where it can: other files of the workspace are cluster scope too.
fn watch_files(connection: &Connection, params: &InitializeParams) -> Result<(), String> {
    let can = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    if !can {
        return Ok(());
    }
    let options = DidChangeWatchedFilesRegistrationOptions {
        watchers: vec![FileSystemWatcher {
            glob_pattern: GlobPattern::String("**/*.{yaml,yml,json}".to_owned()),
            kind: None,
        }],
    };
    let params = RegistrationParams {
        registrations: vec![Registration {
            id: "auditlint-watched-files".to_owned(),
            method: DidChangeWatchedFiles::METHOD.to_owned(),
            register_options: serde_json::to_value(options).ok(),
        }],
    };
    let request = Request::new(
        RequestId::from("auditlint-watch".to_owned()),
        RegisterCapability::METHOD.to_owned(),
        params,
    );
    send(connection, Message::Request(request))
}

/// Whether the server lints a document: YAML or JSON by the editor's language or by its
/// name (as `auditlint check` reads a directory). Other documents an editor may send are
/// left alone rather than reported as broken YAML.
fn is_yaml_or_json(language: &str, uri: &str) -> bool {
    let by_name = [".yaml", ".yml", ".json"]
        .iter()
        .any(|ext| uri.to_ascii_lowercase().ends_with(ext));
    by_name || matches!(language, "yaml" | "json" | "jsonc")
}

/// UTF-8 columns when the client offers them (no conversion), else the protocol's UTF-16.
fn negotiate_encoding(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    if offered.is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8)) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    }
}

/// The first workspace folder (or the deprecated root URI), as a canonical directory.
fn workspace_root(params: &InitializeParams) -> Option<PathBuf> {
    let from_folders = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| f.uri.as_str().to_owned());
    #[allow(deprecated)]
    let from_root = params.root_uri.as_ref().map(|u| u.as_str().to_owned());
    let uri = from_folders.or(from_root)?;
    let path = position::uri_to_path(&uri)?;
    std::fs::canonicalize(path).ok().filter(|p| p.is_dir())
}

/// The canonical file behind a `file:` URI (as the workspace walk names it), if any.
fn document_path(uri: &str) -> Option<PathBuf> {
    let path = position::uri_to_path(uri)?;
    Some(std::fs::canonicalize(&path).unwrap_or(path))
}

fn notification<N: lsp_types::notification::Notification>(params: N::Params) -> Message {
    Message::Notification(Notification::new(N::METHOD.to_owned(), params))
}

fn send(connection: &Connection, message: Message) -> Result<(), String> {
    connection.sender.send(message).map_err(|e| e.to_string())
}

fn ok(id: RequestId, result: impl serde::Serialize) -> Response {
    Response::new_ok(id, result)
}

fn invalid(id: RequestId, error: serde_json::Error) -> Response {
    Response::new_err(
        id,
        lsp_server::ErrorCode::InvalidParams as i32,
        error.to_string(),
    )
}

#[cfg(test)]
mod tests;
