"""The chat core on Bedrock Converse, through dist/bootstrap and the emulator, against
e2e/fake_bedrock.py: inference profiles, retries, fallback, error mapping, bearer
auth, model choice, and the invocation deadline."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import Emulator, Function, function_env


def chat(emu: Emulator, message: str, session: str = "bedrock-session", **extra) -> tuple[int, dict]:
    status, raw = emu.invoke({"httpMethod": "POST", "path": "/chat",
                              "body": json.dumps({"message": message, "session_id": session, **extra})})
    assert status == 200, raw
    response = json.loads(raw)
    return response["statusCode"], json.loads(response["body"])


@pytest.fixture
def start(tmp_path, bedrock, bootstrap_binary):
    running = []

    def _start(**env):
        emu = Emulator()
        emu.start()
        fn = Function(emu, env=function_env(tmp_path, bedrock, **env), binary=bootstrap_binary).start()
        emu.function = fn
        running.append((emu, fn))
        return emu
    yield _start
    for emu, fn in running:
        fn.stop()
        emu.stop()


def test_a_bare_model_id_is_served_through_its_inference_profile_after_one_extra_request(start, bedrock):
    bedrock.control([{"model": "amazon.nova-lite-v1:0", "require_profile": True, "count": 100}])
    emu = start(BEDROCK_REGION="eu-west-1")
    status, reply = chat(emu, "hello")
    models = [r["model"] for r in bedrock.requests()]
    assert {r["region"] for r in bedrock.requests()} == {"eu-west-1"}
    assert status == 200 and reply["model"] == "eu.amazon.nova-lite-v1:0"
    assert models == ["amazon.nova-lite-v1:0", "eu.amazon.nova-lite-v1:0"]
    chat(emu, "again")
    assert [r["model"] for r in bedrock.requests()][2:] == ["eu.amazon.nova-lite-v1:0"]  # remembered
    assert "inference profile" in emu.function.log


def test_profile_prefix_in_us_east_1(start, bedrock):
    bedrock.control([{"model": "amazon.nova-lite-v1:0", "require_profile": True, "count": 100}])
    emu = start()
    status, reply = chat(emu, "hello")
    assert status == 200 and reply["model"] == "us.amazon.nova-lite-v1:0"
    assert [r["model"] for r in bedrock.requests()] == ["amazon.nova-lite-v1:0", "us.amazon.nova-lite-v1:0"]
    assert reply["estimated_cost_usd"] > 0  # priced as the model behind the profile


def test_catalog_models_that_need_a_profile_go_straight_to_it(start, bedrock):
    emu = start(BEDROCK_MODEL_ID="anthropic.claude-sonnet-4-20250514-v1:0")
    status, reply = chat(emu, "hello")
    assert status == 200
    assert [r["model"] for r in bedrock.requests()] == ["us.anthropic.claude-sonnet-4-20250514-v1:0"]


def test_throttling_is_retried_then_succeeds(start, bedrock):
    bedrock.control([{"status": 429, "type": "ThrottlingException", "message": "Too many requests", "count": 2}])
    emu = start()
    status, reply = chat(emu, "hello")
    assert status == 200 and reply["response"] == "Echo: hello"
    assert len(bedrock.requests()) == 3


def test_fallback_models_after_retries(start, bedrock):
    bedrock.control([{"model": "amazon.nova-lite-v1:0", "status": 503, "type": "ServiceUnavailableException", "count": 100}])
    emu = start(BEDROCK_FALLBACK_MODELS="amazon.nova-micro-v1:0")
    status, reply = chat(emu, "hello")
    assert status == 200 and reply["model"] == "amazon.nova-micro-v1:0"
    assert [r["model"] for r in bedrock.requests()] == ["amazon.nova-lite-v1:0"] * 3 + ["amazon.nova-micro-v1:0"]


@pytest.mark.parametrize("http_status, error_type, expected", [
    (400, "ValidationException", 400),
    (403, "AccessDeniedException", 403),
    (404, "ResourceNotFoundException", 404),
    (429, "ThrottlingException", 429),
    (429, "ModelNotReadyException", 429),
    (408, "ModelTimeoutException", 502),
    (503, "ServiceUnavailableException", 503),
    (500, "InternalServerException", 502),
])
def test_bedrock_errors_map_to_client_statuses_and_store_nothing(start, bedrock, tmp_path, http_status, error_type, expected):
    secret_text = "arn:aws:iam::123456789012:role/twin-role is not authorized"
    bedrock.control([{"status": http_status, "type": error_type, "message": secret_text, "count": 100}])
    emu = start(AWS_MAX_ATTEMPTS="2")
    status, body = chat(emu, "hello", "errors")
    assert status == expected
    assert "123456789012" not in body["detail"] and "arn:" not in body["detail"]
    if expected == 403:
        assert "Model access" in body["detail"] and "bedrock:InvokeModel" in body["detail"]
    assert not (tmp_path / "memory" / "errors.json").exists()


def test_bearer_token_auth_for_bedrock(tmp_path, bootstrap_binary):
    from conftest import FakeBedrockProcess
    fake = FakeBedrockProcess(bearer="bedrock-api-key-123")
    try:
        with Emulator() as emu:
            env = function_env(tmp_path, fake, AWS_BEARER_TOKEN_BEDROCK="bedrock-api-key-123")
            with Function(emu, env=env, binary=bootstrap_binary) as fn:
                status, reply = chat(emu, "hello")
                assert status == 200
                assert [r["auth"] for r in fake.requests()] == ["bearer"]
                assert "bedrock-api-key-123" not in fn.log
    finally:
        fake.stop()


def test_models_listing_and_model_choice(start, bedrock):
    emu = start(ALLOWED_MODELS="amazon.nova-lite-v1:0,amazon.nova-pro-v1:0")
    status, raw = emu.invoke({"httpMethod": "GET", "path": "/models"})
    listing = json.loads(json.loads(raw)["body"])
    ids = {m["id"]: m for m in listing["models"]}
    assert listing["default"] == "amazon.nova-lite-v1:0"
    assert {"amazon.nova-micro-v1:0", "amazon.nova-lite-v1:0", "amazon.nova-pro-v1:0"} <= set(ids)
    assert any(i.startswith("anthropic.claude") for i in ids) and any(i.startswith("meta.llama") for i in ids)
    assert ids["amazon.nova-pro-v1:0"]["allowed"] and not ids["amazon.nova-micro-v1:0"]["allowed"]
    assert ids["anthropic.claude-sonnet-4-20250514-v1:0"]["inference_profile"] == "us.anthropic.claude-sonnet-4-20250514-v1:0"

    status, reply = chat(emu, "hi", model="amazon.nova-pro-v1:0")
    assert status == 200 and reply["model"] == "amazon.nova-pro-v1:0"
    status, body = chat(emu, "hi", model="amazon.nova-micro-v1:0")
    assert status == 400 and "not allowed" in body["detail"]
    status, body = chat(emu, "hi", model="made.up-model")
    assert status == 400 and "unknown model" in body["detail"]


# --- The deadline ------------------------------------------------------------------------------
# cargo-lambda's emulator sends a constant Lambda-Runtime-Deadline-Ms (not epoch time), so a
# runtime deadline cannot be exercised through it. This minimal Runtime API gives one real,
# short deadline, as Lambda does.

class DeadlineRuntimeAPI(ThreadingHTTPServer):
    def __init__(self, event: dict, budget_ms: int):
        super().__init__(("127.0.0.1", 0), DeadlineHandler)
        self.event = json.dumps(event).encode()
        self.budget_ms = budget_ms
        self.delivered_at: float | None = None
        self.deadline_ms: int | None = None
        self.answered_at: float | None = None
        self.answer: dict | None = None
        self.done = threading.Event()


class DeadlineHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: DeadlineRuntimeAPI

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.server.delivered_at is not None:  # one event only; later polls wait
            self.server.done.wait(30)
            time.sleep(30)
            return
        self.server.delivered_at = time.time()
        self.server.deadline_ms = int(self.server.delivered_at * 1000) + self.server.budget_ms
        self.send_response(200)
        for k, v in {"Lambda-Runtime-Aws-Request-Id": "deadline-req", "Lambda-Runtime-Deadline-Ms": str(self.server.deadline_ms),
                     "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:twin",
                     "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000", "Content-Type": "application/json",
                     "Content-Length": str(len(self.server.event))}.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(self.server.event)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.answered_at = time.time()
        self.server.answer = {"path": self.path, "body": json.loads(body)}
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.server.done.set()


def test_a_model_slower_than_the_deadline_gets_504_in_time_and_stores_nothing(tmp_path, bedrock, bootstrap_binary):
    bedrock.control([{"stall_ms": 8000, "count": 1}])
    event = {"httpMethod": "POST", "path": "/chat", "body": json.dumps({"message": "slow", "session_id": "slow"})}
    api = DeadlineRuntimeAPI(event, budget_ms=3000)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    import os
    import subprocess
    env = {"PATH": os.environ["PATH"], "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{api.server_address[1]}",
           **function_env(tmp_path, bedrock)}
    proc = subprocess.Popen([bootstrap_binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert api.done.wait(15), "the function never answered"
        assert api.answer["path"] == "/2018-06-01/runtime/invocation/deadline-req/response"
        response = api.answer["body"]
        assert response["statusCode"] == 504
        assert "in time" in json.loads(response["body"])["detail"]
        assert api.answered_at * 1000 < api.deadline_ms  # answered before Lambda would have killed it
        assert not (tmp_path / "memory" / "slow.json").exists()
    finally:
        proc.kill()
        api.shutdown()
