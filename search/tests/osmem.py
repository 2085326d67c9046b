"""Test-only transport for osmem-server (an in-memory OpenSearch-compatible server).

The elasticsearch client sends ``application/vnd.elasticsearch+json; compatible-with=9``, which
osmem rejects with 406; this node sends plain ``application/json`` (and ``x-ndjson`` for bulk).
"""

import re

from elastic_transport import Urllib3HttpNode

_COMPAT = re.compile(r"application/vnd\.elasticsearch\+([\w-]+);\s*compatible-with=\d+")


class PlainJsonNode(Urllib3HttpNode):
    def perform_request(self, method, target, body=None, headers=None, **kwargs):
        if headers:
            headers = headers.copy()
            for name in ("accept", "content-type"):
                if name in headers:
                    headers[name] = _COMPAT.sub(r"application/\1", headers[name])
        return super().perform_request(method, target, body=body, headers=headers, **kwargs)
