"""S3 and DynamoDB memory through dist/bootstrap, against moto with SigV4 checking on.

moto re-signs every request with botocore and compares, so each call the
function makes (GetObject, conditional PutObject, Query, TransactWriteItems...)
is checked for a correct signature with the IAM user's key or the role's
session credentials."""
from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import Emulator, Function, function_env


def chat(emu: Emulator, message: str, session: str | None = None) -> tuple[int, dict]:
    body = {"message": message}
    if session:
        body["session_id"] = session
    status, raw = emu.invoke({"httpMethod": "POST", "path": "/chat", "body": json.dumps(body)})
    assert status == 200, raw
    response = json.loads(raw)
    return response["statusCode"], json.loads(response["body"])


def get(emu: Emulator, path: str) -> tuple[int, dict]:
    status, raw = emu.invoke({"httpMethod": "GET", "path": path})
    assert status == 200, raw
    response = json.loads(raw)
    return response["statusCode"], json.loads(response["body"])


def delete(emu: Emulator, path: str) -> tuple[int, dict]:
    status, raw = emu.invoke({"httpMethod": "DELETE", "path": path})
    response = json.loads(raw)
    return response["statusCode"], json.loads(response["body"])


def memory_env(moto, backend: str, name: str, creds: dict, **extra) -> dict:
    env = {"AWS_ENDPOINT_URL_S3": moto.url, "AWS_ENDPOINT_URL_DYNAMODB": moto.url, **creds}
    if backend == "s3":
        env.update(MEMORY_BACKEND="s3", S3_BUCKET=name)
    else:
        env.update(MEMORY_BACKEND="dynamodb", DYNAMODB_TABLE=name)
    env.update(extra)
    return env


class Running:
    """An emulator with one function process."""

    def __init__(self, tmp_path, bedrock, binary, env):
        if "AWS_ACCESS_KEY_ID" in env:
            bedrock.accept(env)
        self.emu = Emulator()
        self.emu.start()
        base = function_env(tmp_path, bedrock)
        for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            base.pop(k)
        base.update(env)
        self.fn = Function(self.emu, env=base, binary=binary).start()

    def stop(self):
        self.fn.stop()
        self.emu.stop()


@pytest.fixture
def running(tmp_path, bedrock, bootstrap_binary):
    started = []

    def start(env):
        r = Running(tmp_path, bedrock, bootstrap_binary, env)
        started.append(r)
        return r
    yield start
    for r in started:
        r.stop()


@pytest.mark.parametrize("creds_kind", ["user", "session"])
def test_s3_memory_round_trip_in_the_twins_format(moto, running, bedrock, creds_kind):
    bucket = f"twin-{uuid.uuid4().hex[:12]}"
    moto.create_bucket(bucket)
    creds = moto.user if creds_kind == "user" else moto.session
    r = running(memory_env(moto, "s3", bucket, creds, S3_PREFIX="memory"))
    status, health = get(r.emu, "/health")
    assert health["storage"] == "S3" and health["use_s3"] is True

    s = "s3-session"
    status, reply = chat(r.emu, "first", s)
    assert status == 200 and reply["response"] == "Echo: first" and reply["session_id"] == s
    chat(r.emu, "second", s)
    sent = bedrock.requests()[-1]["body"]
    assert [m["content"][0]["text"] for m in sent["messages"]] == ["first", "Echo: first", "second"]
    assert sent["system"] == [{"text": "You are the test twin."}]

    obj = moto.client("s3").get_object(Bucket=bucket, Key=f"memory/{s}.json")
    stored = json.loads(obj["Body"].read())
    assert [(m["role"], m["content"]) for m in stored] == [
        ("user", "first"), ("assistant", "Echo: first"), ("user", "second"), ("assistant", "Echo: second")]
    assert set(stored[0]) == {"role", "content", "timestamp"}

    status, conv = get(r.emu, f"/conversation/{s}")
    assert status == 200 and len(conv["messages"]) == 4
    assert delete(r.emu, f"/conversation/{s}") == (200, {"session_id": s, "deleted": True})
    assert delete(r.emu, f"/conversation/{s}")[0] == 404


def test_an_existing_python_twin_bucket_keeps_working(moto, running):
    bucket = f"twin-{uuid.uuid4().hex[:12]}"
    moto.create_bucket(bucket)
    python_written = [{"role": "user", "content": "Earlier question", "timestamp": "2025-05-01T09:00:00.123456"},
                      {"role": "assistant", "content": "Earlier answer", "timestamp": "2025-05-01T09:00:02.654321"}]
    moto.client("s3").put_object(Bucket=bucket, Key="legacy.json", Body=json.dumps(python_written, indent=2),
                                 ContentType="application/json")
    r = running(memory_env(moto, "s3", bucket, moto.user, USE_S3="true", MEMORY_BACKEND=""))
    status, conv = get(r.emu, "/conversation/legacy")
    assert conv["messages"] == python_written
    chat(r.emu, "New question", "legacy")
    stored = json.loads(moto.client("s3").get_object(Bucket=bucket, Key="legacy.json")["Body"].read())
    assert stored[:2] == python_written and len(stored) == 4


@pytest.mark.parametrize("creds_kind", ["user", "session"])
def test_dynamodb_memory_round_trip(moto, running, bedrock, creds_kind):
    table = f"twin-{uuid.uuid4().hex[:12]}"
    moto.create_table(table)
    creds = moto.user if creds_kind == "user" else moto.session
    r = running(memory_env(moto, "dynamodb", table, creds, MEMORY_TTL_DAYS="30", HISTORY_MESSAGES="2"))
    assert get(r.emu, "/health")[1]["storage"] == "DynamoDB"
    s = "ddb-session"
    for text in ("one", "two", "three"):
        assert chat(r.emu, text, s)[0] == 200
    # History is the last HISTORY_MESSAGES items, read with a descending Query.
    sent = bedrock.requests()[-1]["body"]
    assert [m["content"][0]["text"] for m in sent["messages"]] == ["two", "Echo: two", "three"]
    assert sent["system"] == [{"text": "You are the test twin."}]

    items = moto.client("dynamodb").query(TableName=table, KeyConditionExpression="session_id = :s",
                                          ExpressionAttributeValues={":s": {"S": s}})["Items"]
    assert [int(i["seq"]["N"]) for i in items] == [1, 2, 3, 4, 5, 6]
    assert all(int(i["expires_at"]["N"]) > time.time() + 29 * 86400 for i in items)

    # An item past its TTL that DynamoDB has not yet removed is not shown.
    moto.client("dynamodb").put_item(TableName=table, Item={
        "session_id": {"S": s}, "seq": {"N": "7"}, "role": {"S": "user"}, "content": {"S": "expired"},
        "timestamp": {"S": "2020-01-01T00:00:00"}, "expires_at": {"N": str(int(time.time()) - 10)}})
    status, conv = get(r.emu, f"/conversation/{s}")
    assert [m["content"] for m in conv["messages"]] == ["one", "Echo: one", "two", "Echo: two", "three", "Echo: three"]
    assert delete(r.emu, f"/conversation/{s}")[0] == 200
    assert get(r.emu, f"/conversation/{s}")[1]["messages"] == []


def test_conversation_pages_through_a_long_dynamodb_history(moto, running):
    table = f"twin-{uuid.uuid4().hex[:12]}"
    moto.create_table(table)
    big = "x" * 3000
    ddb = moto.client("dynamodb")
    for seq in range(1, 501):  # ~1.5 MB: more than one 1 MB Query page
        ddb.put_item(TableName=table, Item={"session_id": {"S": "long"}, "seq": {"N": str(seq)},
                                            "role": {"S": "user" if seq % 2 else "assistant"},
                                            "content": {"S": f"{seq}:{big}"}, "timestamp": {"S": ""}})
    r = running(memory_env(moto, "dynamodb", table, moto.user))
    status, conv = get(r.emu, "/conversation/long")
    assert [int(m["content"].split(":")[0]) for m in conv["messages"]] == list(range(1, 501))


@pytest.mark.parametrize("backend", ["s3", "dynamodb"])
def test_a_wrong_secret_is_a_clear_error_and_nothing_is_saved(moto, running, backend):
    name = f"twin-{uuid.uuid4().hex[:12]}"
    moto.create_bucket(name) if backend == "s3" else moto.create_table(name)
    creds = {**moto.user, "AWS_SECRET_ACCESS_KEY": "not-the-secret"}
    r = running(memory_env(moto, backend, name, creds))
    status, body = chat(r.emu, "hello", "wrong-secret")
    assert status == 500
    assert "denied" in body["detail"]
    assert "not-the-secret" not in r.fn.log
    assert "403" in r.fn.log and ("SignatureDoesNotMatch" in r.fn.log or "InvalidSignature" in r.fn.log
                                  or "UnrecognizedClient" in r.fn.log)


@pytest.mark.parametrize("backend", ["s3", "dynamodb"])
def test_concurrent_writers_lose_and_duplicate_nothing(moto, tmp_path, bedrock, bootstrap_binary, backend):
    """8 bootstrap processes each append 25 turns to one session at the same time."""
    name = f"twin-{uuid.uuid4().hex[:12]}"
    moto.create_bucket(name) if backend == "s3" else moto.create_table(name)
    writers = [Running(tmp_path, bedrock, bootstrap_binary, memory_env(moto, backend, name, moto.user, HISTORY_MESSAGES="0"))
               for _ in range(8)]
    try:
        def write(w: int) -> None:
            for i in range(25):
                status, body = chat(writers[w].emu, f"w{w}-m{i}", "shared")
                assert status == 200, body

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(write, range(8)))
        status, conv = get(writers[0].emu, "/conversation/shared")
        users = [m["content"] for m in conv["messages"] if m["role"] == "user"]
        expected = {f"w{w}-m{i}" for w in range(8) for i in range(25)}
        assert len(users) == len(expected) == 200  # none duplicated
        assert set(users) == expected  # none lost
        assert len(conv["messages"]) == 400
        # Each reply directly follows its question: a turn is written all or nothing.
        for q, a in zip(conv["messages"][::2], conv["messages"][1::2]):
            assert a["content"] == f"Echo: {q['content']}"
    finally:
        for w in writers:
            w.stop()


class CredentialsEndpoint:
    """A container credentials endpoint (what ECS, EKS Pod Identity and SnapStart serve)."""

    def __init__(self, creds: dict, token: str, expires_in: int):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        endpoint = self
        self.calls: list[str | None] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                endpoint.calls.append(self.headers.get("Authorization"))
                if self.headers.get("Authorization") != token:
                    self.send_response(401)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                expiration = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + expires_in))
                body = json.dumps({"AccessKeyId": creds["AWS_ACCESS_KEY_ID"], "SecretAccessKey": creds["AWS_SECRET_ACCESS_KEY"],
                                   "Token": creds["AWS_SESSION_TOKEN"], "Expiration": expiration}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v2/credentials"

    def stop(self):
        self.server.shutdown()


@pytest.mark.parametrize("token_in_file", [False, True])
def test_container_credentials_are_used_and_refreshed_before_expiry(moto, running, bedrock, tmp_path, token_in_file):
    bedrock.accept(moto.session)
    bucket = f"twin-{uuid.uuid4().hex[:12]}"
    moto.create_bucket(bucket)
    # Expiring in 4 minutes: inside the 5-minute refresh window, so every use fetches anew.
    endpoint = CredentialsEndpoint(moto.session, token="container-token-1", expires_in=240)
    try:
        env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": endpoint.url}
        if token_in_file:
            (tmp_path / "token").write_text("container-token-1\n")
            env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = str(tmp_path / "token")
        else:
            env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "container-token-1"
        r = running(memory_env(moto, "s3", bucket, {}, **env))
        assert chat(r.emu, "hello", "container")[0] == 200
        calls_after_first = len(endpoint.calls)
        assert chat(r.emu, "again", "container")[0] == 200
        assert calls_after_first >= 1 and len(endpoint.calls) > calls_after_first  # refreshed
        assert set(endpoint.calls) == {"container-token-1"}
        assert "container-token-1" not in r.fn.log
    finally:
        endpoint.stop()
