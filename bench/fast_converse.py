"""A Converse endpoint that answers at once, for `make bench`.

e2e/fake_bedrock.py checks every request (JSON shape, signatures), which costs it
about half a millisecond a request in Python; measured through it, that cost would
count as the function's. This one reads each request whole and answers with a fixed
Converse response, so a chat's latency is the function's own work plus a loopback
round trip. Both systems call it the same way.

    python fast_converse.py      (prints its port)
"""
import json
import socket
import threading

REPLY = json.dumps({
    "output": {"message": {"role": "assistant", "content": [{"text": "I build fast, dependable serverless backends."}]}},
    "stopReason": "end_turn",
    "usage": {"inputTokens": 120, "outputTokens": 12, "totalTokens": 132},
    "metrics": {"latencyMs": 0},
}).encode()
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-amzn-RequestId: bench\r\n"
            b"Content-Length: " + str(len(REPLY)).encode() + b"\r\n\r\n" + REPLY)


def serve(conn: socket.socket) -> None:
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buffer = b""
    with conn:
        while True:
            while b"\r\n\r\n" not in buffer:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            while len(buffer) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            buffer = buffer[length:]
            conn.sendall(RESPONSE)


def main() -> None:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
