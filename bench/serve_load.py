"""Load on ``kg serve``: many clients at once, each request on a new connection.

    python -m bench.serve_load [--data build/kg.trig] [--clients 200] [--requests 2000]

Half the requests fetch ``/api/queries`` (the front alone), half POST a query (front and Oxigraph).
Prints requests, errors by kind, and p50/p99 latency. Issue #13 item 4; docs/reliability.md keeps
the figures. A measurement, not a test: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

QUERY = "SELECT ?type (COUNT(*) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n) LIMIT 10"


def _request(port: int, index: int) -> tuple[float, str]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        if index % 2:
            connection.request("GET", "/api/queries", headers={"Host": f"127.0.0.1:{port}"})
        else:
            body = urllib.parse.urlencode({"query": QUERY})
            connection.request("POST", "/query", body=body, headers={
                "Host": f"127.0.0.1:{port}", "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        response.read()
        outcome = "ok" if response.status == 200 else f"HTTP {response.status}"
    except (OSError, http.client.HTTPException) as exc:
        outcome = type(exc).__name__
    finally:
        connection.close()
    return time.perf_counter() - started, outcome


def run(data: Path, *, clients: int, requests: int) -> dict[str, object]:
    """Serve ``data``, send ``requests`` requests from ``clients`` threads at once; the figures."""
    from kg.serve import serve

    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    counter = iter(range(requests))
    with serve(data, port=0) as server:
        barrier = threading.Barrier(clients)

        def client() -> None:
            barrier.wait()
            while True:
                with lock:
                    index = next(counter, None)
                if index is None:
                    return
                seconds, outcome = _request(server.port, index)
                with lock:
                    latencies.append(seconds)
                    outcomes[outcome] += 1

        threads = [threading.Thread(target=client) for _ in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies), "clients": clients, "wall_s": round(wall, 1),
        "errors": {k: v for k, v in outcomes.items() if k != "ok"}, "ok": outcomes["ok"],
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(Path("build") / "kg.trig"))
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    print(run(Path(args.data), clients=args.clients, requests=args.requests))


if __name__ == "__main__":
    main()
