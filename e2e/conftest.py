"""Fixtures for the black-box tests: dist/bootstrap run under cargo-lambda's emulator."""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "e2e"))

from lambda_local import Emulator, Function  # noqa: E402

# Test credentials: an IAM-style key pair the fake Bedrock verifies signatures with.
ACCESS_KEY = "AKIDEXAMPLETEST00001"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


class FakeBedrockProcess:
    """e2e/fake_bedrock.py on a free loopback port."""

    def __init__(self, bearer: str | None = None):
        cmd = [sys.executable, str(ROOT / "e2e" / "fake_bedrock.py"), "--credentials", f"{ACCESS_KEY}:{SECRET_KEY}"]
        if bearer:
            cmd += ["--bearer-token", bearer]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}"

    def control(self, rules: list[dict]) -> None:
        self._post("/_control", rules)

    def reset(self) -> None:
        self._post("/_reset", {})

    def accept(self, creds: dict[str, str]) -> None:
        """Lets signatures made with these AWS_* credentials verify."""
        self._post("/_credentials", {creds["AWS_ACCESS_KEY_ID"]: creds["AWS_SECRET_ACCESS_KEY"]})

    def requests(self) -> list[dict]:
        with urllib.request.urlopen(self.url + "/_requests") as r:
            return json.loads(r.read())

    def _post(self, path: str, payload: object) -> None:
        req = urllib.request.Request(self.url + path, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req).read()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=5)


@pytest.fixture(scope="session")
def bootstrap_binary() -> str:
    path = ROOT / "dist" / "bootstrap"
    if not path.exists():
        pytest.fail("dist/bootstrap is missing: run `make build` (make test does)")
    return str(path)


@pytest.fixture(scope="session")
def fake_bedrock():
    server = FakeBedrockProcess()
    yield server
    server.stop()


@pytest.fixture
def bedrock(fake_bedrock):
    fake_bedrock.reset()
    return fake_bedrock


def function_env(tmp_path: Path, bedrock: FakeBedrockProcess, **extra: str) -> dict[str, str]:
    env = {
        "MEMORY_DIR": str(tmp_path / "memory"),
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": bedrock.url,
        "SYSTEM_PROMPT": "You are the test twin.",
        "AWS_LAMBDA_LOG_LEVEL": "DEBUG",
        "CORS_ORIGINS": "http://localhost:3000,https://twin.example.com",
    }
    env.update(extra)
    return env


@pytest.fixture
def twin(tmp_path, bedrock, bootstrap_binary):
    """A fresh emulator and a running function on file memory."""
    with Emulator(disable_cors=True) as emu:
        fn = Function(emu, env=function_env(tmp_path, bedrock), binary=bootstrap_binary).start()
        emu.function = fn
        emu.memory_dir = tmp_path / "memory"
        try:
            yield emu
        finally:
            fn.stop()
            if fn.proc.returncode not in (0, -15, None):
                print(fn.log)


class MotoServer:
    """moto on loopback with SigV4 checking: an IAM user's key and a role's session credentials."""

    def __init__(self, check_signatures: bool = True) -> None:
        import os as _os
        import boto3
        from lambda_local import free_port, wait_for_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(_os.environ)
        if check_signatures:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = "5"
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "e2e" / "moto_serialized.py"), "-H", "127.0.0.1",
                                      "-p", str(self.port)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)
        anon = dict(endpoint_url=self.url, region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
        iam = boto3.client("iam", **anon)
        allow = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        # The five free calls: after them every request must carry a valid signature.
        iam.create_user(UserName="twin")
        iam.put_user_policy(UserName="twin", PolicyName="all", PolicyDocument=allow)
        key = iam.create_access_key(UserName="twin")["AccessKey"]
        iam.create_role(RoleName="twin-role", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}))
        iam.put_role_policy(RoleName="twin-role", PolicyName="all", PolicyDocument=allow)
        self.user = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
        sts = self.client("sts")
        creds = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/twin-role", RoleSessionName="twin-session")["Credentials"]
        self.session = {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
                        "AWS_SESSION_TOKEN": creds["SessionToken"]}

    def client(self, service: str, creds: dict | None = None):
        import boto3
        c = creds or self.user
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1", aws_access_key_id=c["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=c["AWS_SECRET_ACCESS_KEY"], aws_session_token=c.get("AWS_SESSION_TOKEN"))

    def create_bucket(self, name: str) -> None:
        self.client("s3").create_bucket(Bucket=name)

    def create_table(self, name: str) -> None:
        self.client("dynamodb").create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "session_id", "KeyType": "HASH"}, {"AttributeName": "seq", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "session_id", "AttributeType": "S"}, {"AttributeName": "seq", "AttributeType": "N"}])

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="session")
def moto():
    server = MotoServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def moto_open():
    """moto with authentication off: its Lambda API answers signed GETs with a false 403
    when signatures are checked, so deploy steps are tested this way."""
    server = MotoServer(check_signatures=False)
    yield server
    server.stop()
