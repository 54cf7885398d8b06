"""`auditlint server` driven over stdio by a real LSP client (pytest-lsp, on pygls).

Run by tests/server.rs with AUDITLINT_BIN set to the binary under test.
"""

import asyncio
import os
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

BIN = os.environ.get("AUDITLINT_BIN", "auditlint")

APISERVER = """\
apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.30.0
    command:
    - kube-apiserver
    - --audit-policy-file=/etc/kubernetes/audit/policy.yaml
    - --audit-log-path=/var/log/kubernetes/audit/audit.log
    - --audit-log-maxage=7
    - --audit-log-maxbackup=10
    - --audit-log-maxsize=100
    volumeMounts:
    - {name: audit-policy, mountPath: /etc/kubernetes/audit, readOnly: true}
    - {name: audit-log, mountPath: /var/log/kubernetes/audit}
  volumes:
  - name: audit-policy
    hostPath: {path: /etc/kubernetes/audit, type: DirectoryOrCreate}
  - name: audit-log
    hostPath: {path: /var/log/kubernetes/audit, type: DirectoryOrCreate}
"""

POLICY = """\
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
"""

# A log agent that reads only /var/log/pods: the audit log, under /var/log/kubernetes, is
# not collected (AL405, reported on the apiserver's --audit-log-path).
AGENT = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: fluent-bit, namespace: logging}
spec:
  selector: {matchLabels: {app: fluent-bit}}
  template:
    metadata: {labels: {app: fluent-bit}}
    spec:
      tolerations:
      - {key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}
      containers:
      - name: fluent-bit
        image: cr.fluentbit.io/fluent/fluent-bit:3.0
        volumeMounts:
        - {name: varlog, mountPath: /var/log/pods}
      volumes:
      - name: varlog
        hostPath: {path: /var/log/pods}
"""


KUBELET = """\
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
seccompDefault: true
"""


@pytest.fixture
def workspace(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "control-plane").mkdir()
    (tmp_path / "control-plane" / "kube-apiserver.yaml").write_text(APISERVER)
    (tmp_path / "control-plane" / "policy.yaml").write_text(POLICY)
    # The kubelets run containers without a profile under RuntimeDefault (no AL315).
    (tmp_path / "control-plane" / "kubelet.yaml").write_text(KUBELET)
    (tmp_path / "logging").mkdir()
    (tmp_path / "logging" / "agent.yaml").write_text(AGENT)
    return tmp_path


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BIN, "server"]))
async def client(lsp_client: LanguageClient, request):
    root = request.getfixturevalue("workspace")
    lsp_client.registrations = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        lsp_client.registrations.extend(params.registrations)

    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                workspace=types.WorkspaceClientCapabilities(
                    did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                        dynamic_registration=True
                    )
                )
            ),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="cluster")],
        )
    )
    yield
    await lsp_client.shutdown_session()


def uri(workspace: pathlib.Path, rel: str) -> str:
    return (workspace / rel).as_uri()


def position_of(text: str, needle: str) -> types.Position:
    """The 0-based line and column where `needle` starts (ASCII text)."""
    offset = text.index(needle)
    line = text.count("\n", 0, offset)
    return types.Position(line=line, character=offset - (text.rfind("\n", 0, offset) + 1))


async def diagnostics_after(client: LanguageClient, send, doc_uri: str):
    """Sends a notification and returns the diagnostics next published for `doc_uri` (a
    server that publishes nothing fails the test after 30 s rather than hanging it)."""
    client.diagnostics.pop(doc_uri, None)
    send()
    while doc_uri not in client.diagnostics:
        await asyncio.wait_for(
            client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), timeout=30
        )
    return client.diagnostics[doc_uri]


def open_doc(client, doc_uri, text):
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=doc_uri, language_id="yaml", version=1, text=text
            )
        )
    )


def change_doc(client, doc_uri, version, text):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=doc_uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def by_code(diagnostics):
    return {d.code: d for d in diagnostics}


@pytest.mark.asyncio
async def test_diagnostics_with_ranges_then_cleared_by_the_fix(client, workspace):
    doc = uri(workspace, "control-plane/kube-apiserver.yaml")
    found = by_code(await diagnostics_after(client, lambda: open_doc(client, doc, APISERVER), doc))
    assert set(found) == {"AL103", "AL405"}, found

    maxage = found["AL103"]
    start = position_of(APISERVER, "7\n    - --audit-log-maxbackup")
    assert maxage.range.start == start
    assert maxage.range.end == types.Position(line=start.line, character=start.character + 1)
    assert maxage.severity == types.DiagnosticSeverity.Warning
    assert maxage.source == "auditlint"
    assert "--audit-log-maxage=30" in maxage.message
    assert maxage.code_description.href.endswith("/docs/rules/AL103.md")

    # Hover on the finding: its message and the rule's documentation.
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=doc), position=start)
    )
    assert hover is not None
    assert "AL103 audit-log-maxage" in hover.contents.value
    assert "## Why it matters" in hover.contents.value
    # Elsewhere: nothing.
    nothing = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=doc),
            position=types.Position(line=0, character=0),
        )
    )
    assert nothing is None

    # Fix the value in the editor (unsaved): AL103 goes, AL405 stays.
    fixed = APISERVER.replace("--audit-log-maxage=7", "--audit-log-maxage=30")
    found = by_code(await diagnostics_after(client, lambda: change_doc(client, doc, 2, fixed), doc))
    assert set(found) == {"AL405"}, found


@pytest.mark.asyncio
async def test_a_fixed_file_gets_an_empty_list(client, workspace):
    agent = uri(workspace, "logging/agent.yaml")
    collects_audit = AGENT.replace("/var/log/pods", "/var/log")
    (workspace / "logging" / "agent.yaml").write_text(collects_audit)
    doc = uri(workspace, "control-plane/kube-apiserver.yaml")
    found = await diagnostics_after(client, lambda: open_doc(client, doc, APISERVER), doc)
    assert [d.code for d in found] == ["AL103"]
    fixed = APISERVER.replace("--audit-log-maxage=7", "--audit-log-maxage=90")
    found = await diagnostics_after(client, lambda: change_doc(client, doc, 2, fixed), doc)
    assert list(found) == []
    assert agent not in client.diagnostics or client.diagnostics[agent] == []


@pytest.mark.asyncio
async def test_a_cross_file_finding_follows_the_other_file(client, workspace):
    apiserver = uri(workspace, "control-plane/kube-apiserver.yaml")
    agent = uri(workspace, "logging/agent.yaml")
    found = by_code(
        await diagnostics_after(client, lambda: open_doc(client, apiserver, APISERVER), apiserver)
    )
    assert "AL405" in found
    path_line = position_of(APISERVER, "/var/log/kubernetes/audit/audit.log").line
    assert found["AL405"].range.start.line == path_line

    # The agent, opened and edited (not saved) to mount /var/log: the apiserver's AL405 goes.
    await diagnostics_after(client, lambda: open_doc(client, agent, AGENT), agent)
    collects = AGENT.replace("/var/log/pods", "/var/log")
    found = by_code(
        await diagnostics_after(client, lambda: change_doc(client, agent, 2, collects), apiserver)
    )
    assert set(found) == {"AL103"}, found

    # Back to /var/log/pods: it returns.
    found = by_code(
        await diagnostics_after(client, lambda: change_doc(client, agent, 3, AGENT), apiserver)
    )
    assert set(found) == {"AL103", "AL405"}, found


@pytest.mark.asyncio
async def test_a_file_changed_on_disk_is_read_again_on_save(client, workspace):
    apiserver = uri(workspace, "control-plane/kube-apiserver.yaml")
    found = await diagnostics_after(client, lambda: open_doc(client, apiserver, APISERVER), apiserver)
    assert "AL405" in {d.code for d in found}
    # Another tool rewrites the agent on disk; the next save re-reads the workspace.
    (workspace / "logging" / "agent.yaml").write_text(AGENT.replace("/var/log/pods", "/var/log"))
    save = lambda: client.text_document_did_save(  # noqa: E731
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=apiserver))
    )
    found = await diagnostics_after(client, save, apiserver)
    assert {d.code for d in found} == {"AL103"}


@pytest.mark.asyncio
async def test_a_watched_file_change_rescans(client, workspace):
    apiserver = uri(workspace, "control-plane/kube-apiserver.yaml")
    found = await diagnostics_after(client, lambda: open_doc(client, apiserver, APISERVER), apiserver)
    assert "AL405" in {d.code for d in found}
    # The server asked to hear of YAML and JSON files changing on disk.
    (watch,) = client.registrations
    assert watch.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    assert watch.register_options["watchers"][0]["globPattern"] == "**/*.{yaml,yml,json}"
    # The agent changes on disk (a `git pull`); the client reports it.
    agent = workspace / "logging" / "agent.yaml"
    agent.write_text(AGENT.replace("/var/log/pods", "/var/log"))
    changed = lambda: client.workspace_did_change_watched_files(  # noqa: E731
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=agent.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    found = await diagnostics_after(client, changed, apiserver)
    assert {d.code for d in found} == {"AL103"}
