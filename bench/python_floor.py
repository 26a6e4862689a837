"""A do-nothing Python Lambda runtime client: the floor for the Python twin."""
import http.client
import os

RESPONSE = b'{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\\"status\\":\\"healthy\\"}","isBase64Encoded":false}'
host, _, prefix = os.environ["AWS_LAMBDA_RUNTIME_API"].partition("/")
prefix = "/" + prefix if prefix else ""
conn = http.client.HTTPConnection(host)
while True:
    conn.request("GET", f"{prefix}/2018-06-01/runtime/invocation/next")
    r = conn.getresponse()
    r.read()
    request_id = r.getheader("Lambda-Runtime-Aws-Request-Id")
    conn.request("POST", f"{prefix}/2018-06-01/runtime/invocation/{request_id}/response", body=RESPONSE)
    conn.getresponse().read()
