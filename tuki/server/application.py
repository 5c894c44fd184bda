"""The WSGI application `tuki serve` runs: tuki.wsgi, with the client's address and scheme
taken from X-Forwarded-For and X-Forwarded-Proto when the peer is a proxy on this machine.

uvicorn, the server before granian, did this by default, and docs/security/accounts.md
promises it: a reverse proxy on the same machine needs no setting. The trusted peers are
FORWARDED_ALLOW_IPS (uvicorn's variable, default `127.0.0.1,::1`); the header is read from
the right, as TUKI_TRUSTED_PROXIES is (tuki/accounts/throttling.py).
"""

from __future__ import annotations

import os

from granian.utils.proxies import wrap_wsgi_with_proxy_headers

from tuki.server.lanes import Lanes
from tuki.wsgi import application as tuki_application

TRUSTED = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

application = wrap_wsgi_with_proxy_headers(Lanes(tuki_application), trusted_hosts=TRUSTED)
