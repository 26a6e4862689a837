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

    def __init__(self, secret: str | None = SECRET_KEY, bearer: str | None = None, region: str = "us-east-1"):
        cmd = [sys.executable, str(ROOT / "e2e" / "fake_bedrock.py"), "--region", region]
        if secret:
            cmd += ["--secret", secret]
        if bearer:
            cmd += ["--bearer-token", bearer]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}"

    def control(self, rules: list[dict]) -> None:
        self._post("/_control", rules)

    def reset(self) -> None:
        self._post("/_reset", {})

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
