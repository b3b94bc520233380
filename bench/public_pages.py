"""Throughput of anonymous public pages: cached, uncached, and a bare Django view, all served
by the same gunicorn on this machine. Prints requests per second for each.

    .venv/bin/python bench/public_pages.py [--seconds 5] [--clients 4] [--workers 2]

It builds a throwaway SQLite database in a temporary directory, seeds the demo site, starts
gunicorn on a free port, and drives it with keep-alive HTTP clients in threads. The design
target is that a cached public page reaches at least half the bare view's throughput."""

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hammer(port: int, path: str, seconds: float, clients: int) -> tuple[float, int]:
    counts = [0] * clients
    errors = [0] * clients
    deadline = time.monotonic() + seconds

    def run(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < deadline:
            conn.request("GET", path, headers={"Accept-Language": "en"})
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                counts[index] += 1
            else:
                errors[index] += 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds, sum(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "TANDEM_VAR_DIR": tmp,
            "DJANGO_DEBUG": "false",
        }
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        manage = [PYTHON, "manage.py"]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([*manage, "seed_demo"], cwd=ROOT, env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [
                PYTHON, "-m", "gunicorn", "bench.wsgi", "--bind", f"127.0.0.1:{port}",
                "--workers", str(args.workers), "--log-level", "warning",
            ],
            cwd=ROOT,
            env=env,
        )  # fmt: skip
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            # Warm every worker's caches and the shared page cache.
            hammer(port, "/about/", 1.0, args.clients)
            results = {}
            for label, path in [
                ("bare Django view", "/bench/bare/"),
                ("public page, cached", "/about/"),
                ("public page, uncached", "/about/?uncached=1"),
            ]:
                results[label] = hammer(port, path, args.seconds, args.clients)
        finally:
            server.terminate()
            server.wait(timeout=10)

    bare = results["bare Django view"][0]
    print(f"{args.clients} clients, {args.workers} gunicorn workers, {args.seconds:g}s each")
    for label, (rate, errors) in results.items():
        print(f"  {label:<24} {rate:8.0f} req/s  ({rate / bare:4.0%} of bare){'':2}errors={errors}")


if __name__ == "__main__":
    main()
