#!/usr/bin/env python3
"""moto_server with each request handled atomically.

Real S3 and DynamoDB apply a conditional PutObject or a TransactWriteItems as
one atomic step. moto's threaded server checks the conditions and then applies
the writes without a lock, so two concurrent transactions can both pass their
`attribute_not_exists` checks and overwrite each other: a race of the test
server, not of the protocol. This runs moto exactly as `moto_server` does, with
every request served under one lock, so concurrency tests exercise the
service's semantics. Connections are still served by threads (keep-alive works).

    python moto_serialized.py -H 127.0.0.1 -p PORT
"""
import argparse
import os
import threading

from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


class Serialized:
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            result = self.app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        return [body]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(args.host, args.port, Serialized(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
