#!/usr/bin/env python3
"""`make bench`: the Swift bootstrap and the Python twin side by side, on this machine.

Both run as Lambda would run them, under cargo-lambda's Runtime API emulator (behind
bench/relay.py, see there), with bench/fast_converse.py answering Converse at once, and
file memory. The systems are measured interleaved, phase by phase, in one run:

- cold start: an invoke of /health is queued, then the function process is spawned;
  the time from spawn to the response (median, min, max of COLD_RUNS);
- warm /health: p50 and p99 of WARM_RUNS sequential invokes, and the same for a
  do-nothing runtime client of each language (the floor);
- warm /chat: p50 and p99 of CHAT_RUNS invokes on one session (history growing to
  the window) and on a fresh session each time;
- peak RSS (VmHWM) of the function process, and the deployment zip's size.

Prints a table with each figure and the ratio project / twin, checks the budgets, and
saves the JSON under bench/results/.
"""
from __future__ import annotations

import http.client
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))
from lambda_local import Emulator  # noqa: E402
from relay import Relay  # noqa: E402

COLD_RUNS = int(os.environ.get("COLD_RUNS", "10"))
WARM_RUNS = int(os.environ.get("WARM_RUNS", "300"))
CHAT_RUNS = int(os.environ.get("CHAT_RUNS", "200"))
BENCH_PY = os.environ.get("BENCH_PYTHON", str(ROOT / "bench" / ".venv" / "bin" / "python"))
FLOOR_BIN = os.environ["FLOOR_BIN"]

# Full API Gateway REST events, as Mangum needs them to infer its handler.
HEALTH = (ROOT / "events" / "health.json").read_bytes()
CHAT_TEMPLATE = json.loads((ROOT / "events" / "chat.json").read_text())


def chat_event(session: str) -> bytes:
    event = dict(CHAT_TEMPLATE)
    event["body"] = json.dumps({"message": "What do you work on these days?", "session_id": session})
    return json.dumps(event).encode()


class System:
    """A function to run. `cold_relay`: whether its cold starts go through the relay too (the
    Python stack cannot run without it; the Swift client can, so its cold start is measured
    with nothing between it and the emulator). Warm phases always use the relay."""

    def __init__(self, name: str, cmd: list[str], cwd: Path, env: dict[str, str], cold_relay: bool):
        self.name, self.cmd, self.cwd, self.env, self.cold_relay = name, cmd, cwd, env, cold_relay

    def spawn(self, runtime_api: str, memory: str) -> subprocess.Popen:
        env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "AWS_LAMBDA_RUNTIME_API": runtime_api,
               "AWS_LAMBDA_FUNCTION_NAME": "bootstrap", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
               "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_REGION": "us-east-1", "MEMORY_DIR": memory,
               "LAMBDA_TASK_ROOT": str(self.cwd), **self.env}
        self.log = Path(tempfile.gettempdir()) / f"bench-{self.name}.log"
        return subprocess.Popen(self.cmd, cwd=self.cwd, env=env, stdout=open(self.log, "wb"), stderr=subprocess.STDOUT)


class Stage:
    """An emulator, a relay in front of it, and at most one function process."""

    def __init__(self, relay: bool = True):
        self.emu = Emulator()
        self.emu.start()
        self.relay = Relay(self.emu.port, "/.rt/bootstrap").start() if relay else None
        self.memory = tempfile.mkdtemp(prefix="bench-memory-")
        self.proc: subprocess.Popen | None = None
        self.caller: http.client.HTTPConnection | None = None

    @property
    def runtime_api(self) -> str:
        return f"127.0.0.1:{self.relay.port}" if self.relay else self.emu.runtime_api

    def run(self, system: System) -> None:
        self.proc = system.spawn(self.runtime_api, self.memory)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def close(self) -> None:
        self.kill()
        if self.relay:
            self.relay.shutdown()
        self.emu.stop()
        shutil.rmtree(self.memory, ignore_errors=True)

    def invoke(self, event: bytes) -> float:
        """One Invoke API call, timed. The caller acknowledges at once (TCP_QUICKACK): the
        emulator writes head and body apart with Nagle on, and a delayed ACK would add ~40 ms."""
        if self.caller is None:
            self.caller = http.client.HTTPConnection("127.0.0.1", self.emu.port)
            self.caller.connect()
            self.caller.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        start = time.perf_counter()
        self.caller.request("POST", "/2015-03-31/functions/bootstrap/invocations", body=event)
        if hasattr(socket, "TCP_QUICKACK"):
            self.caller.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        response = self.caller.getresponse()
        body = response.read()
        status = response.status
        elapsed = (time.perf_counter() - start) * 1000
        if status != 200 or json.loads(body).get("statusCode") != 200:
            raise RuntimeError(f"invoke failed: {status} {body[:300]!r}")
        return elapsed

    def peak_rss_kib(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def cold_starts(system: System) -> list[float]:
    times = []
    for _ in range(COLD_RUNS):
        # A fresh emulator each time: a killed function's pending poll must not swallow the next event.
        stage = Stage(system.cold_relay)
        try:
            result: dict = {}

            def call():
                status, body = stage.emu.invoke(HEALTH)
                result["end"] = time.perf_counter()
                result["ok"] = status == 200 and json.loads(body).get("statusCode") == 200

            t = threading.Thread(target=call)
            t.start()
            time.sleep(0.15)  # the invoke is queued before the process exists
            start = time.perf_counter()
            stage.run(system)
            t.join(60)
            if not result.get("ok"):
                raise RuntimeError(f"{system.name}: cold start invoke failed; its log:\n{system.log.read_text()[-3000:]}")
            times.append((result["end"] - start) * 1000)
        finally:
            stage.close()
    return times


def warm(system: System, events: list[bytes], warmup: int = 20) -> tuple[list[float], int]:
    stage = Stage(relay=True)
    try:
        stage.run(system)
        for _ in range(warmup):
            stage.invoke(HEALTH)
        times = [stage.invoke(e) for e in events]
        return times, stage.peak_rss_kib()
    finally:
        stage.close()


def python_twin_zip_size(workdir: Path) -> int:
    """The twin's deployment package: its code and dependencies (as its guide packages them)."""
    target = workdir / "package"
    subprocess.run([BENCH_PY, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--target", str(target),
                    "-r", str(ROOT / "bench" / "requirements-twin.txt")], check=True)
    shutil.copy(ROOT / "bench" / "python_twin" / "server.py", target / "server.py")
    zip_path = workdir / "twin.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for path in target.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                z.write(path, path.relative_to(target))
    return zip_path.stat().st_size


def summary(values: list[float]) -> dict:
    return {"p50": percentile(values, 50), "p99": percentile(values, 99), "min": min(values), "max": max(values),
            "median": statistics.median(values), "n": len(values)}


def main() -> int:
    fake = subprocess.Popen([BENCH_PY, str(ROOT / "bench" / "fast_converse.py")], stdout=subprocess.PIPE, text=True)
    fake_url = f"http://127.0.0.1:{int(fake.stdout.readline())}"
    common = {"AWS_ACCESS_KEY_ID": "AKIDBENCH", "AWS_SECRET_ACCESS_KEY": "bench-secret", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": fake_url,
              "SYSTEM_PROMPT": "You are a digital twin.", "AWS_LAMBDA_LOG_LEVEL": "WARN"}
    # Warm phases run every system and floor behind the relay (bench/relay.py says why);
    # the Python stack needs it for its cold start too, the Swift client does not.
    project = System("project", [str(ROOT / "dist" / "bootstrap")], ROOT / "dist", common, cold_relay=False)
    twin = System("twin", [BENCH_PY, "-m", "awslambdaric", "server.handler"], ROOT / "bench" / "python_twin", common, cold_relay=True)
    floors = {"project": System("project-floor", [FLOOR_BIN], ROOT / "dist", {}, cold_relay=False),
              "twin": System("twin-floor", [BENCH_PY, str(ROOT / "bench" / "python_floor.py")], ROOT / "bench", {}, cold_relay=True)}
    systems = {"project": project, "twin": twin}
    results: dict = {name: {} for name in systems}
    try:
        # Interleaved: each phase runs for both systems before the next phase starts.
        for name, system in systems.items():
            print(f"cold start: {name} x{COLD_RUNS}", flush=True)
            results[name]["cold_start_ms"] = summary(cold_starts(system))
        for name, system in systems.items():
            print(f"warm /health: {name} x{WARM_RUNS}, and its floor", flush=True)
            times, rss = warm(system, [HEALTH] * WARM_RUNS)
            results[name]["warm_health_ms"] = summary(times)
            results[name]["peak_rss_mib"] = rss / 1024
            results[name]["floor_ms"] = summary(warm(floors[name], [HEALTH] * WARM_RUNS)[0])
        for name, system in systems.items():
            print(f"warm /chat: {name} x{CHAT_RUNS} on one session, x{CHAT_RUNS} on fresh sessions", flush=True)
            same, rss_same = warm(system, [chat_event("bench-session")] * CHAT_RUNS)
            fresh, rss_fresh = warm(system, [chat_event(str(uuid.uuid4())) for _ in range(CHAT_RUNS)])
            results[name]["warm_chat_same_session_ms"] = summary(same)
            results[name]["warm_chat_fresh_session_ms"] = summary(fresh)
            results[name]["peak_rss_mib"] = max(results[name]["peak_rss_mib"], rss_same / 1024, rss_fresh / 1024)
        with tempfile.TemporaryDirectory() as tmp:
            results["project"]["zip_bytes"] = (ROOT / "dist" / "bootstrap.zip").stat().st_size
            results["twin"]["zip_bytes"] = python_twin_zip_size(Path(tmp))
    finally:
        fake.kill()

    rows = [
        ("cold start median (ms)", "cold_start_ms", "median"), ("cold start min (ms)", "cold_start_ms", "min"),
        ("cold start max (ms)", "cold_start_ms", "max"),
        ("warm /health p50 (ms)", "warm_health_ms", "p50"), ("warm /health p99 (ms)", "warm_health_ms", "p99"),
        ("floor p50 (ms)", "floor_ms", "p50"), ("floor p99 (ms)", "floor_ms", "p99"),
        ("warm /chat same session p50 (ms)", "warm_chat_same_session_ms", "p50"),
        ("warm /chat same session p99 (ms)", "warm_chat_same_session_ms", "p99"),
        ("warm /chat fresh session p50 (ms)", "warm_chat_fresh_session_ms", "p50"),
        ("warm /chat fresh session p99 (ms)", "warm_chat_fresh_session_ms", "p99"),
        ("peak RSS (MiB)", "peak_rss_mib", None), ("zip size (MiB)", "zip_bytes", None),
    ]
    table = []
    for label, key, field in rows:
        p, t = results["project"][key], results["twin"][key]
        if field:
            p, t = p[field], t[field]
        if key == "zip_bytes":
            p, t = p / 1048576, t / 1048576
        table.append((label, p, t, p / t if t else float("nan")))

    pr = results["project"]
    budgets = [
        ("cold start median <= 5 ms", pr["cold_start_ms"]["median"] <= 5),
        ("warm /health p50 <= 1.2 x floor p50", pr["warm_health_ms"]["p50"] <= 1.2 * pr["floor_ms"]["p50"]),
        ("warm /chat p50 <= 2 x warm /health p50", pr["warm_chat_same_session_ms"]["p50"] <= 2 * pr["warm_health_ms"]["p50"]),
        ("peak RSS <= 10 MiB", pr["peak_rss_mib"] <= 10),
    ]
    machine = {"cpu": cpu_model(), "cores": os.cpu_count(), "kernel": platform.release(),
               "python": platform.python_version(), "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}

    width = max(len(r[0]) for r in table)
    print()
    print(f"{'metric':<{width}}  {'project':>10}  {'twin':>10}  {'project/twin':>12}")
    for label, p, t, ratio in table:
        print(f"{label:<{width}}  {p:>10.2f}  {t:>10.2f}  {ratio:>12.3f}")
    print()
    for label, ok in budgets:
        print(f"budget {'met   ' if ok else 'MISSED'}  {label}")
    print(f"\nmachine: {machine['cpu']}, {machine['cores']} cores, Linux {machine['kernel']}")

    out = {"machine": machine, "results": results,
           "table": [{"metric": l, "project": p, "twin": t, "ratio": r} for l, p, t, r in table],
           "budgets": {label: ok for label, ok in budgets},
           "settings": {"cold_runs": COLD_RUNS, "warm_runs": WARM_RUNS, "chat_runs": CHAT_RUNS}}
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    path = results_dir / f"bench-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"saved {path.relative_to(ROOT)}")
    return 0


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


if __name__ == "__main__":
    sys.exit(main())
