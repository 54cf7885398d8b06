//! The server in process, over an in-memory connection: what the pytest-lsp tests
//! (tests/lsp/) do not cover — no workspace folder, unsaved buffers with no file, UTF-8
//! columns, unknown requests, and a clean shutdown.

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};

use super::serve;

struct Client {
    conn: Connection,
    server: std::thread::JoinHandle<Result<(), String>>,
    next_id: i32,
    /// Every document diagnostics were published for, in order.
    published: Vec<String>,
}

impl Client {
    fn start(capabilities: Value) -> Self {
        let (server_side, conn) = Connection::memory();
        let server = std::thread::spawn(move || serve(server_side));
        let mut client = Client {
            conn,
            server,
            next_id: 0,
            published: Vec::new(),
        };
        let init = client.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": capabilities}),
        );
        assert!(init["capabilities"]["hoverProvider"].as_bool().unwrap());
        client.notify("initialized", json!({}));
        client
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let request = Request::new(id.clone(), method.to_owned(), params);
        self.conn.sender.send(Message::Request(request)).unwrap();
        loop {
            match self.conn.receiver.recv().unwrap() {
                Message::Response(r) if r.id == id => {
                    return match r.response_result {
                        Ok(result) => result,
                        Err(e) => json!({"error": e.code}),
                    }
                }
                _ => continue,
            }
        }
    }

    fn notify(&self, method: &str, params: Value) {
        let note = Notification::new(method.to_owned(), params);
        self.conn.sender.send(Message::Notification(note)).unwrap();
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            if let Message::Notification(n) = self.conn.receiver.recv().unwrap() {
                if n.method == "textDocument/publishDiagnostics" {
                    self.published
                        .push(n.params["uri"].as_str().unwrap().to_owned());
                    if n.params["uri"] == uri {
                        return n.params["diagnostics"].as_array().unwrap().clone();
                    }
                }
            }
        }
    }

    fn stop(mut self) {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        assert_eq!(self.server.join().unwrap(), Ok(()));
    }
}

const BAD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-apiserver # é\n    command: [kube-apiserver, --audit-log-path=-, --audit-policy-file=/p.yaml, --audit-log-format=ÿ]\n";

#[test]
fn an_unsaved_buffer_without_a_workspace_gets_diagnostics_in_utf8_columns() {
    let mut client = Client::start(json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}));
    let uri = "untitled:Untitled-1";
    // Not YAML or JSON: not linted (it would be one big syntax error).
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "file:///tmp/x.py", "languageId": "python", "version": 1, "text": "x = {\n"}}),
    );
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": BAD}}),
    );
    let found = client.diagnostics(uri);
    assert_eq!(client.published, [uri]);
    let invalid = found
        .iter()
        .find(|d| d["code"] == "AL106")
        .unwrap_or_else(|| panic!("{found:#?}"));
    // `ÿ` is 2 bytes: with UTF-8 columns the value spans 2 units.
    let line = BAD.lines().nth(6).unwrap();
    let start = line.find('ÿ').unwrap();
    assert_eq!(
        invalid["range"]["start"],
        json!({"line": 6, "character": start})
    );
    assert_eq!(
        invalid["range"]["end"],
        json!({"line": 6, "character": start + 2})
    );

    // Unknown requests are refused, not fatal.
    let unknown = client.request("textDocument/definition", json!({}));
    assert_eq!(
        unknown["error"],
        lsp_server::ErrorCode::MethodNotFound as i32
    );
    // Closing the buffer clears its diagnostics.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(client.diagnostics(uri), Vec::<Value>::new());
    client.stop();
}

#[test]
fn utf16_columns_by_default_and_no_hover_off_a_finding() {
    let mut client = Client::start(json!({}));
    let uri = "untitled:b";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": BAD}}),
    );
    let found = client.diagnostics(uri);
    let invalid = found.iter().find(|d| d["code"] == "AL106").unwrap();
    let line = BAD.lines().nth(6).unwrap();
    let start = line[..line.find('ÿ').unwrap()].encode_utf16().count();
    assert_eq!(invalid["range"]["end"]["character"], json!(start + 1));
    let at = |line: usize, character: usize| json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}});
    assert_eq!(client.request("textDocument/hover", at(0, 0)), Value::Null);
    let hover = client.request("textDocument/hover", at(6, start));
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("AL106 audit-flag-invalid"),
        "{hover}"
    );
    // AL106 has no machine-applicable fix: an empty list, not an error.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 6, "character": start}, "end": {"line": 6, "character": start}}, "context": {"diagnostics": []}}),
    );
    assert_eq!(actions, json!([]));
    client.stop();
}

#[test]
fn a_fixable_finding_is_a_quick_fix_of_its_document() {
    let mut client = Client::start(json!({}));
    let uri = "untitled:c";
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --audit-policy-file=/p.yaml, --audit-log-path=/var/log/a.log, --audit-log-maxage=7, --audit-log-maxbackup=10, --audit-log-maxsize=100]\n";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
    );
    client.diagnostics(uri);
    let line = text.lines().nth(6).unwrap();
    let start = line.find("maxage=7").unwrap() + "maxage=".len();
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 6, "character": start}, "end": {"line": 6, "character": start}}, "context": {"diagnostics": []}}),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Fix AL103"))
        .unwrap_or_else(|| panic!("{actions:#}"));
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(
        fix["edit"]["changes"][uri],
        json!([{"range": {"start": {"line": 6, "character": start}, "end": {"line": 6, "character": start + 1}}, "newText": "30"}])
    );
    client.stop();
}
