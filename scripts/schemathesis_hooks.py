"""Schemathesis hooks (loaded by scripts/schemathesis through SCHEMATHESIS_HOOKS).

The OpenAPI document names the two cursor encodings as formats; these teach the generator
to make real cursors of each, so schema-valid requests are valid requests.
"""
import base64
import json
from datetime import datetime

import schemathesis
from hypothesis import strategies as st


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _time_cursor(at, ident) -> str:
    return _b64(json.dumps({"t": at.strftime("%Y-%m-%dT%H:%M:%S"), "id": str(ident)}).encode())


# A page position: (time, id) of the last item seen (api::pagination::TimeCursor).
schemathesis.openapi.format(
    "time-cursor",
    st.builds(_time_cursor, st.datetimes(min_value=datetime(1900, 1, 1)), st.uuids()),
)
# The audit log's position: a sequence number.
schemathesis.openapi.format(
    "seq-cursor",
    st.integers(min_value=0, max_value=2**62).map(lambda n: _b64(str(n).encode())),
)
