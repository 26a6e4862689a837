#!/usr/bin/env python3
"""Run dist/bootstrap under cargo-lambda's Runtime API emulator on 127.0.0.1.

Used by `make run`, `make invoke` and the black-box tests (e2e/). The emulator is
a third-party implementation of the Lambda Runtime API, Invoke API and Function
URL front end; this module only starts it, starts the function against it, and
stops both.

    python3 scripts/lambda_local.py run [--port 9000]
    python3 scripts/lambda_local.py invoke events/health.json
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
FUNCTION = "bootstrap"

CARGO_MANIFEST = """[package]
name = "emu"
version = "0.0.0"
edition = "2021"
[[bin]]
name = "bootstrap"
path = "main.rs"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


class Emulator:
    """cargo-lambda's emulator: Runtime API for the function, Invoke API and Function URLs for callers."""

    def __init__(self, port: int | None = None, disable_cors: bool = False, timeout: int | None = None):
        self.port = port or free_port()
        self.disable_cors = disable_cors
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.workdir = tempfile.mkdtemp(prefix="emu-")
        self.log_path = Path(self.workdir) / "emulator.log"

    def __enter__(self) -> "Emulator":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        Path(self.workdir, "Cargo.toml").write_text(CARGO_MANIFEST)
        exe = shutil.which("cargo-lambda", path=str(VENV_BIN)) or shutil.which("cargo-lambda")
        if not exe:
            raise RuntimeError("cargo-lambda is not installed: run `make deps`")
        if not shutil.which("cargo"):
            raise RuntimeError("cargo-lambda needs `cargo` on PATH (it runs `cargo metadata`)")
        cmd = [exe, "lambda", "watch", "--only-lambda-apis", "--invoke-address", "127.0.0.1",
               "--invoke-port", str(self.port)]
        if self.disable_cors:
            cmd.append("--disable-cors")
        if self.timeout:
            cmd += ["--timeout", str(self.timeout)]
        self.proc = subprocess.Popen(cmd, cwd=self.workdir, stdout=open(self.log_path, "wb"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        shutil.rmtree(self.workdir, ignore_errors=True)

    @property
    def runtime_api(self) -> str:
        return f"127.0.0.1:{self.port}/.rt/{FUNCTION}"

    @property
    def function_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/lambda-url/{FUNCTION}"

    def invoke(self, event: dict | bytes | str, timeout: float = 30.0) -> tuple[int, bytes]:
        """Raw Invoke API: (HTTP status, the function's response bytes)."""
        if isinstance(event, dict):
            event = json.dumps(event)
        if isinstance(event, str):
            event = event.encode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/2015-03-31/functions/{FUNCTION}/invocations", data=event, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()


class Function:
    """dist/bootstrap as Lambda would run it, pointed at an emulator."""

    def __init__(self, emulator: Emulator, env: dict[str, str] | None = None, binary: str | None = None):
        self.emulator = emulator
        self.binary = binary or str(ROOT / "dist" / "bootstrap")
        self.env = env or {}
        self.proc: subprocess.Popen | None = None
        self.log_path = Path(emulator.workdir) / f"function-{time.monotonic_ns()}.log"

    def environment(self) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "AWS_LAMBDA_RUNTIME_API": self.emulator.runtime_api,
            "AWS_LAMBDA_FUNCTION_NAME": FUNCTION,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_REGION": "us-east-1",
        }
        env.update(self.env)
        return env

    def start(self) -> "Function":
        self.proc = subprocess.Popen([self.binary], env=self.environment(), stdout=open(self.log_path, "wb"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def __enter__(self) -> "Function":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def wait_exit(self, timeout: float = 10.0) -> int:
        assert self.proc
        return self.proc.wait(timeout=timeout)

    @property
    def log(self) -> str:
        try:
            return self.log_path.read_text()
        except FileNotFoundError:
            return ""

    def log_records(self) -> list[dict]:
        return [json.loads(line) for line in self.log.splitlines() if line.startswith("{")]


def local_env() -> dict[str, str]:
    """The function's variables for local use: file memory under ./memory unless set."""
    env = {"MEMORY_DIR": os.environ.get("MEMORY_DIR", str(ROOT / "memory"))}
    for name, value in os.environ.items():
        if name.startswith(("AWS_", "BEDROCK_", "MEMORY_", "S3_", "DYNAMODB_", "CORS_", "HISTORY_", "PERSONA_",
                            "SYSTEM_PROMPT", "USE_S3", "DEFAULT_AWS_REGION", "MAX_TOKENS", "TEMPERATURE", "TOP_P",
                            "METRICS_", "ALLOWED_MODELS")) and name not in ("AWS_LAMBDA_RUNTIME_API",):
            env[name] = value
    return env


def cmd_run(args: argparse.Namespace) -> int:
    with Emulator(port=args.port) as emu:
        fn = Function(emu, env=local_env())
        fn.log_path = Path(tempfile.gettempdir()) / "twin-function.log"
        fn.start()
        print(f"The twin is served at {emu.function_url}/  (try: curl {emu.function_url}/health)")
        print(f"Invoke API: http://127.0.0.1:{emu.port}/2015-03-31/functions/{FUNCTION}/invocations")
        print(f"Function log: {fn.log_path}   Ctrl-C stops.", flush=True)
        try:
            while fn.proc.poll() is None:
                time.sleep(0.5)
            print(f"the function exited with status {fn.proc.returncode}; its log:\n{fn.log}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 0
        finally:
            fn.stop()


def cmd_invoke(args: argparse.Namespace) -> int:
    event = Path(args.event).read_bytes()
    with Emulator() as emu, Function(emu, env=local_env()) as fn:
        status, body = emu.invoke(event)
        try:
            print(json.dumps(json.loads(body), indent=2))
        except ValueError:
            print(body.decode(errors="replace"))
        if args.verbose:
            print(fn.log, file=sys.stderr)
        return 0 if status == 200 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve the API on 127.0.0.1 until Ctrl-C")
    run.add_argument("--port", type=int, default=int(os.environ.get("PORT", "9000")))
    run.set_defaults(func=cmd_run)
    inv = sub.add_parser("invoke", help="invoke the function once with an event file and print its response")
    inv.add_argument("event")
    inv.add_argument("-v", "--verbose", action="store_true", help="also print the function's log")
    inv.set_defaults(func=cmd_invoke)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
