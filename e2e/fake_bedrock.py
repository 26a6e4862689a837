#!/usr/bin/env python3
"""A fake Amazon Bedrock Converse endpoint for the project's tests.

Bedrock has no local server, so this one stands in for `bedrock-runtime`. It is
strict about what it receives: each request is checked against the Converse
API's request shape (model id in the path, `system` / `messages` /
`inferenceConfig` with the right types, turns starting with `user` and
alternating) and its authorization (a SigV4 signature for service `bedrock`,
re-computed with botocore from the known secret, or the expected bearer token).
A request that fails a check gets the 400 ValidationException Bedrock would
send, and is recorded with the reason, so tests can assert on both.

Behaviour is scripted through `POST /_control` with a JSON list of rules,
matched in order against the model id; a rule with `count` applies that many
times. Rule fields: `model`, `status`, `type`, `message`, `stall_ms`,
`reply`, `count`, `require_profile` (bare ids are refused with Bedrock's
"on-demand throughput isn't supported" message).

    GET  /_requests     every request seen, with the checks' verdicts
    POST /_credentials  {"ACCESS_KEY_ID": "secret", ...}: more keys whose signatures verify
    POST /_reset        forget requests and rules
"""
from __future__ import annotations

import argparse
import json
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ALLOWED_TOP_LEVEL = {
    "system", "messages", "inferenceConfig", "toolConfig", "guardrailConfig", "additionalModelRequestFields",
    "additionalModelResponseFieldPaths", "promptVariables", "requestMetadata", "performanceConfig",
}


def shape_problems(body: object) -> list[str]:
    """What is wrong with a Converse request body, per the API reference."""
    problems: list[str] = []
    if not isinstance(body, dict):
        return ["body is not a JSON object"]
    unknown = set(body) - ALLOWED_TOP_LEVEL
    if unknown:
        problems.append(f"unknown fields: {sorted(unknown)}")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        problems.append("messages must be a non-empty list")
        messages = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            problems.append(f"messages[{i}].role must be user or assistant")
            continue
        content = m.get("content")
        if not isinstance(content, list) or not content:
            problems.append(f"messages[{i}].content must be a non-empty list")
            continue
        for j, block in enumerate(content):
            if not isinstance(block, dict) or not isinstance(block.get("text"), str) or not block["text"].strip():
                problems.append(f"messages[{i}].content[{j}] must be a non-blank text block")
    roles = [m.get("role") for m in messages if isinstance(m, dict)]
    if roles and roles[0] != "user":
        problems.append("A conversation must start with a user message")
    if any(a == b for a, b in zip(roles, roles[1:])):
        problems.append("roles must alternate between user and assistant")
    if roles and roles[-1] != "user":
        problems.append("the last message must be from the user")
    system = body.get("system")
    if system is not None:
        if not isinstance(system, list) or not all(isinstance(b, dict) and isinstance(b.get("text"), str) for b in system):
            problems.append("system must be a list of text blocks")
    config = body.get("inferenceConfig")
    if config is not None:
        if not isinstance(config, dict):
            problems.append("inferenceConfig must be an object")
        else:
            if "maxTokens" in config and not (isinstance(config["maxTokens"], int) and config["maxTokens"] >= 1):
                problems.append("inferenceConfig.maxTokens must be a positive integer")
            for key in ("temperature", "topP"):
                if key in config and not (isinstance(config[key], (int, float)) and 0 <= config[key] <= 1):
                    problems.append(f"inferenceConfig.{key} must be a number in [0, 1]")
            if set(config) - {"maxTokens", "temperature", "topP", "stopSequences"}:
                problems.append(f"unknown inferenceConfig fields: {sorted(set(config) - {'maxTokens', 'temperature', 'topP', 'stopSequences'})}")
    return problems


def signature_problem(handler: "Handler", raw_body: bytes, secrets: dict[str, str]) -> str | None:
    """None when the Authorization header is a valid SigV4 signature for service bedrock
    (in the region its credential scope names, which the request records)."""
    auth = handler.headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "Authorization is not AWS4-HMAC-SHA256"
    fields = dict(part.strip().split("=", 1) for part in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    scope = fields.get("Credential", "").split("/")
    if len(scope) != 5 or scope[3] != "bedrock" or scope[4] != "aws4_request":
        return f"credential scope is not for service bedrock: {fields.get('Credential')}"
    secret = secrets.get(scope[0])
    if secret is None:
        return f"unknown access key {scope[0]}"
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    signed = fields["SignedHeaders"].split(";")
    headers = {name: handler.headers.get(name, "") for name in signed}
    url = f"http://{handler.headers.get('Host')}{handler.path}"
    request = AWSRequest(method=handler.command, url=url, data=raw_body, headers=headers)
    amz_date = handler.headers.get("X-Amz-Date", "")
    token = handler.headers.get("X-Amz-Security-Token")
    signer = SigV4Auth(Credentials(scope[0], secret, token), "bedrock", scope[2])
    request.context["timestamp"] = amz_date
    canonical = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical)
    expected = signer.signature(string_to_sign, request)
    if expected != fields.get("Signature"):
        return "signature does not match (canonical request botocore computed:\n" + canonical + ")"
    return None


class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.rules: list[dict] = []
        self.secrets: dict[str, str] = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "FakeBedrock"

    def log_message(self, *args) -> None:  # quiet
        pass

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send_json(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        # Head and body in one write: two small writes would meet the client's delayed ACK.
        data = json.dumps(payload).encode()
        lines = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}", "Content-Type: application/json",
                 f"Content-Length: {len(data)}", "x-amzn-RequestId: fake-request-id"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data)

    def send_error_json(self, status: int, error_type: str, message: str) -> None:
        self.send_json(status, {"message": message}, {"x-amzn-ErrorType": f"{error_type}:http://internal.amazon.com/coral/com.amazon.bedrock/"})

    def do_GET(self) -> None:
        if self.path == "/_requests":
            with self.server.state.lock:
                self.send_json(200, self.server.state.requests)
        else:
            self.send_error_json(404, "UnknownOperationException", "not found")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        state = self.server.state
        if self.path == "/_control":
            with state.lock:
                state.rules = json.loads(raw or b"[]")
            return self.send_json(200, {"ok": True})
        if self.path == "/_credentials":
            with state.lock:
                state.secrets.update(json.loads(raw))
            return self.send_json(200, {"ok": True})
        if self.path == "/_reset":
            with state.lock:
                state.requests.clear()
                state.rules.clear()
            return self.send_json(200, {"ok": True})

        parts = self.path.split("?")[0].split("/")
        if len(parts) != 4 or parts[1] != "model" or parts[3] != "converse":
            return self.send_error_json(404, "UnknownOperationException", f"unknown path {self.path}")
        model = urllib.parse.unquote(parts[2])
        record: dict = {"path": self.path, "model": model, "problems": []}
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
            record["problems"].append("body is not JSON")
        record["body"] = body
        if self.headers.get("Content-Type", "").split(";")[0] != "application/json":
            record["problems"].append("Content-Type is not application/json")
        auth = self.headers.get("Authorization", "")
        if self.server.skip_auth:
            record["auth"] = "unchecked"
        elif auth.startswith("Bearer "):
            record["auth"] = "bearer"
            if self.server.bearer_token is None or auth[len("Bearer "):] != self.server.bearer_token:
                record["problems"].append("unexpected bearer token")
        else:
            record["auth"] = "sigv4"
            with state.lock:
                secrets = dict(state.secrets)
            problem = signature_problem(self, raw, secrets)
            scope = auth.split("Credential=", 1)[-1].split(",")[0].split("/")
            record["region"] = scope[2] if len(scope) == 5 else None
            if problem:
                record["auth_problem"] = problem
        if body is not None:
            record["problems"].extend(shape_problems(body))

        with state.lock:
            state.requests.append(record)
            rule = None
            for r in state.rules:
                if r.get("model") not in (None, model) or r.get("count", 1) <= 0:
                    continue
                if r.get("require_profile") and model.split(".")[0] in ("us", "eu", "apac", "global"):
                    continue  # an inference profile id: served normally
                rule = r
                if "count" in r:
                    r["count"] -= 1
                break

        if "auth_problem" in record:
            return self.send_error_json(403, "InvalidSignatureException", record["auth_problem"])
        if record["problems"]:
            return self.send_error_json(400, "ValidationException", "; ".join(record["problems"]))
        if rule:
            if rule.get("stall_ms"):
                time.sleep(rule["stall_ms"] / 1000)
            if rule.get("require_profile"):
                return self.send_error_json(400, "ValidationException",
                    f"Invocation of model ID {model} with on-demand throughput isn\u2019t supported. Retry your request "
                    "with the ID or ARN of an inference profile that contains this model.")
            if rule.get("status"):
                return self.send_error_json(rule["status"], rule.get("type", "InternalServerException"), rule.get("message", "scripted failure"))
        last = body["messages"][-1]["content"][0]["text"]
        reply = (rule or {}).get("reply") or f"Echo: {last}"
        input_tokens = sum(len(b["text"]) for m in body["messages"] for b in m["content"]) // 4 + 1
        self.send_json(200, {
            "output": {"message": {"role": "assistant", "content": [{"text": reply}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": input_tokens, "outputTokens": len(reply) // 4 + 1,
                      "totalTokens": input_tokens + len(reply) // 4 + 1},
            "metrics": {"latencyMs": 0},
        })


class FakeBedrock(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, credentials: dict[str, str], bearer_token: str | None, skip_auth: bool = False) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.skip_auth = skip_auth
        self.state = State()
        self.state.secrets.update(credentials)
        self.bearer_token = bearer_token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--credentials", action="append", default=[], metavar="KEY_ID:SECRET",
                        help="an access key whose signatures verify (repeatable; more via POST /_credentials)")
    parser.add_argument("--bearer-token")
    parser.add_argument("--no-auth-check", action="store_true", help="accept any authorization (benchmarks: answer in ~0 ms)")
    args = parser.parse_args()
    creds = dict(c.split(":", 1) for c in args.credentials)
    server = FakeBedrock(args.port, creds, args.bearer_token, skip_auth=args.no_auth_check)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
