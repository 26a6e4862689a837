"""dist/bootstrap under cargo-lambda's emulator: every route, through the Invoke API
with the console events in events/, and through the Function URL with real HTTP."""
from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, Emulator, Function, function_env

EVENTS = ROOT / "events"
SESSION = "3f2b8c1e-5a4d-4e6f-9b7a-1c2d3e4f5a6b"


def invoke_event(emu: Emulator, name: str) -> dict:
    status, body = emu.invoke(EVENTS.joinpath(name).read_bytes())
    assert status == 200, body
    return json.loads(body)


def body_of(response: dict) -> dict:
    return json.loads(response["body"])


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


# --- Invoke API with the console events (REST v1 and HTTP API v2 shapes) ---------------------------

def test_root_and_health_in_both_shapes(twin):
    for name in ("root.json", "http-root.json"):
        r = invoke_event(twin, name)
        assert r["statusCode"] == 200
        assert body_of(r) == {"message": "AI Digital Twin API (Powered by AWS Bedrock)", "memory_enabled": True,
                              "storage": "local", "ai_model": "amazon.nova-lite-v1:0"}
    rest = invoke_event(twin, "health.json")
    assert body_of(rest) == {"status": "healthy", "use_s3": False, "storage": "local", "bedrock_model": "amazon.nova-lite-v1:0"}
    assert "cookies" not in rest and rest["headers"]["Content-Type"] == "application/json"
    v2 = invoke_event(twin, "http-health.json")
    assert v2["cookies"] == [] and body_of(v2)["status"] == "healthy"
    for name in ("console-minimal-health.json", "console-minimal-http-health.json"):
        assert body_of(invoke_event(twin, name))["status"] == "healthy"


def test_chat_then_conversation_then_delete_through_rest_events(twin, bedrock):
    first = invoke_event(twin, "chat.json")
    assert first["statusCode"] == 200, first
    reply = body_of(first)
    assert reply["session_id"] == SESSION
    assert reply["response"] == "Echo: Hi! What do you work on?"
    assert reply["model"] == "amazon.nova-lite-v1:0" and reply["usage"]["outputTokens"] > 0
    # CORS: the event's Origin is allowed, so it is echoed.
    assert first["headers"]["Access-Control-Allow-Origin"] == "http://localhost:3000"

    # The twin's file format on disk: a JSON array of {role, content, timestamp}.
    stored = json.loads((twin.memory_dir / f"{SESSION}.json").read_text())
    assert [(m["role"], m["content"]) for m in stored] == [("user", "Hi! What do you work on?"),
                                                           ("assistant", "Echo: Hi! What do you work on?")]

    conversation = body_of(invoke_event(twin, "conversation.json"))
    assert conversation["session_id"] == SESSION
    assert [m["role"] for m in conversation["messages"]] == ["user", "assistant"]
    assert all(m["timestamp"] for m in conversation["messages"])

    second = body_of(invoke_event(twin, "http-chat.json"))
    assert second["session_id"] == SESSION
    sent = bedrock.requests()[-1]["body"]
    assert sent["system"] == [{"text": "You are the test twin."}]
    assert [(m["role"], m["content"][0]["text"]) for m in sent["messages"]] == [
        ("user", "Hi! What do you work on?"), ("assistant", "Echo: Hi! What do you work on?"),
        ("user", "Hi! What do you work on?")]
    assert sent["inferenceConfig"] == {"maxTokens": 2000, "temperature": 0.7, "topP": 0.9}
    assert all(not r["problems"] and "auth_problem" not in r for r in bedrock.requests())

    deleted = invoke_event(twin, "conversation-delete.json")
    assert deleted["statusCode"] == 200 and body_of(deleted) == {"session_id": SESSION, "deleted": True}
    assert not (twin.memory_dir / f"{SESSION}.json").exists()
    again = invoke_event(twin, "http-conversation-delete.json")
    assert again["statusCode"] == 404 and "detail" in body_of(again)
    assert body_of(invoke_event(twin, "http-conversation.json"))["messages"] == []


def test_chat_without_session_id_gets_a_new_uuid(twin):
    reply = body_of(invoke_event(twin, "chat-new-session.json"))
    import uuid
    assert str(uuid.UUID(reply["session_id"])) == reply["session_id"]
    assert (twin.memory_dir / f"{reply['session_id']}.json").exists()


@pytest.mark.parametrize("name, status, detail", [
    ("bad-chat-empty-message.json", 422, "message must not be empty"),
    ("bad-chat-missing-message.json", 422, "field required: message"),
    ("bad-chat-invalid-json.json", 400, "not valid JSON"),
    ("http-bad-chat-invalid-json.json", 400, "not valid JSON"),
    ("bad-chat-session-id.json", 400, "invalid session_id"),
    ("bad-conversation-traversal.json", 400, "invalid session_id"),
    ("bad-not-found.json", 404, "Not Found"),
    ("bad-method-not-allowed.json", 405, "Method Not Allowed"),
])
def test_bad_input_gets_a_clear_4xx(twin, bedrock, name, status, detail):
    r = invoke_event(twin, name)
    assert r["statusCode"] == status
    assert detail in body_of(r)["detail"]
    if status == 405:
        assert r["headers"]["Allow"] == "POST"
    assert bedrock.requests() == []  # nothing reached the model


def test_traversal_never_touches_the_filesystem(twin):
    invoke_event(twin, "health.json")  # the function has started and made its memory folder
    before = set(Path(twin.memory_dir).parent.rglob("*"))
    for name in ("bad-chat-session-id.json", "bad-conversation-traversal.json"):
        assert invoke_event(twin, name)["statusCode"] == 400
    assert set(Path(twin.memory_dir).parent.rglob("*")) == before
    assert not Path("/etc/passwd.json").exists()


def test_a_non_http_event_is_an_invocation_error(twin):
    status, body = twin.invoke(EVENTS.joinpath("bad-not-http.json").read_bytes())
    assert status != 200
    error = json.loads(body)
    assert error["errorType"] == "InvalidEvent"
    assert "API Gateway" in error["errorMessage"] and "Function URL" in error["errorMessage"]
    # The function survives and serves the next event.
    assert body_of(invoke_event(twin, "health.json"))["status"] == "healthy"


def test_a_response_over_6mb_is_a_clean_error(twin):
    big = [{"role": "user", "content": "x" * 1_000_000, "timestamp": "2025-01-01T00:00:00"} for _ in range(7)]
    twin.memory_dir.mkdir(parents=True, exist_ok=True)
    (twin.memory_dir / "big.json").write_text(json.dumps(big))
    status, body = twin.invoke({"httpMethod": "GET", "path": "/conversation/big"})
    assert status != 200
    assert json.loads(body)["errorType"] == "Function.ResponseSizeTooLarge"
    assert body_of(invoke_event(twin, "health.json"))["status"] == "healthy"


def test_logs_are_json_lines_with_request_ids_and_no_secrets(twin):
    invoke_event(twin, "chat.json")
    records = [r for r in twin.function.log_records() if "_aws" not in r]
    assert records, twin.function.log
    for r in records:
        assert {"timestamp", "level", "message"} <= set(r)
        assert r["timestamp"].endswith("Z") and "T" in r["timestamp"]
    assert any(r.get("requestId") for r in records)
    # One CloudWatch Embedded Metric Format record per chat.
    emf = [r for r in twin.function.log_records() if "_aws" in r]
    assert len(emf) == 1
    metrics = emf[0]["_aws"]["CloudWatchMetrics"][0]
    assert metrics["Namespace"] == "DigitalTwin" and metrics["Dimensions"] == [["Model"]]
    assert {m["Name"] for m in metrics["Metrics"]} == {"ChatLatency", "InputTokens", "OutputTokens", "EstimatedCostUSD"}
    assert emf[0]["Model"] == "amazon.nova-lite-v1:0" and emf[0]["OutputTokens"] > 0 and emf[0]["EstimatedCostUSD"] > 0
    text = twin.function.log
    assert "wJalrXUtnFEMI" not in text and "Signature=" not in text and "Hi! What do you work on?" not in text


# --- Function URL: real HTTP requests ---------------------------------------------------------------

def test_function_url_routes(twin):
    base = twin.function_url
    status, headers, body = http("GET", base + "/health", headers={"Origin": "https://twin.example.com", "Cookie": "a=1; b=2"})
    assert status == 200 and json.loads(body)["status"] == "healthy"
    assert headers["content-type"] == "application/json"
    assert headers["access-control-allow-origin"] == "https://twin.example.com"

    status, _, body = http("GET", base + "/")
    assert status == 200 and json.loads(body)["memory_enabled"] is True

    status, _, body = http("POST", base + "/chat", json.dumps({"message": "Tell me about you", "session_id": "url-session"}).encode(),
                           {"Content-Type": "application/json"})
    assert status == 200, body
    assert json.loads(body)["response"] == "Echo: Tell me about you"

    status, _, body = http("GET", base + "/conversation/url-session/")  # trailing slash tolerated
    assert status == 200 and len(json.loads(body)["messages"]) == 2

    status, _, body = http("DELETE", base + "/conversation/url-session")
    assert status == 200 and json.loads(body)["deleted"] is True


def test_function_url_errors_and_cors(twin):
    base = twin.function_url
    status, headers, body = http("GET", base + "/conversation/..%2F..%2Fetc%2Fpasswd")
    assert status == 400 and "invalid session_id" in json.loads(body)["detail"]

    status, headers, body = http("GET", base + "/chat")
    assert status == 405 and headers["allow"] == "POST"

    status, _, body = http("POST", base + "/chat", b"{not json", {"Content-Type": "application/json"})
    assert status == 400

    # A form post arrives base64-encoded; it is decoded and judged as the JSON it is not.
    status, _, body = http("POST", base + "/chat", b"message=hi", {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400

    status, headers, _ = http("OPTIONS", base + "/chat", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 200
    assert headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "POST" in headers["access-control-allow-methods"]
    assert headers["access-control-allow-headers"] == "content-type"

    status, headers, _ = http("OPTIONS", base + "/chat", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert status == 400 and "access-control-allow-origin" not in headers

    status, headers, _ = http("GET", base + "/health", headers={"Origin": "https://evil.example"})
    assert status == 200 and "access-control-allow-origin" not in headers


# --- Start-up ---------------------------------------------------------------------------------------

def test_cold_start_serves_a_queued_invoke(tmp_path, bedrock, bootstrap_binary):
    with Emulator() as emu:
        result = {}
        t = threading.Thread(target=lambda: result.update(r=emu.invoke(EVENTS.joinpath("health.json").read_bytes())))
        t.start()
        time.sleep(0.3)  # the invoke is queued before the function exists
        with Function(emu, env=function_env(tmp_path, bedrock), binary=bootstrap_binary):
            t.join(timeout=20)
        status, body = result["r"]
        assert status == 200 and json.loads(json.loads(body)["body"])["status"] == "healthy"


@pytest.mark.parametrize("env, mentions", [
    ({"MEMORY_BACKEND": "floppy"}, "MEMORY_BACKEND"),
    ({"USE_S3": "true"}, "S3_BUCKET"),
    ({"HISTORY_MESSAGES": "lots"}, "HISTORY_MESSAGES"),
])
def test_bad_configuration_exits_non_zero(tmp_path, bedrock, bootstrap_binary, env, mentions):
    with Emulator() as emu:
        fn = Function(emu, env=function_env(tmp_path, bedrock, **env), binary=bootstrap_binary).start()
        code = fn.wait_exit(timeout=15)
        assert code != 0
        assert mentions in fn.log


def test_without_runtime_api_the_binary_says_what_is_missing(bootstrap_binary):
    import subprocess
    r = subprocess.run([bootstrap_binary], env={"PATH": os.environ["PATH"]}, capture_output=True, text=True, timeout=10)
    assert r.returncode != 0
    assert "AWS_LAMBDA_RUNTIME_API" in r.stdout + r.stderr


def test_an_idle_poll_answered_408_is_simply_repeated(tmp_path, bedrock, bootstrap_binary):
    # With --timeout 1 the emulator answers an idle /next with HTTP 408 every second.
    with Emulator(timeout=1) as emu:
        with Function(emu, env=function_env(tmp_path, bedrock), binary=bootstrap_binary) as fn:
            time.sleep(2.5)
            assert fn.proc.poll() is None, fn.log
            assert body_of(invoke_event(emu, "health.json"))["status"] == "healthy"
