from typing import Any

import pytest

from tuki.webhooks.tests.receiver import receiver  # noqa: F401


@pytest.fixture(autouse=True)
def loopback_allowed(settings: Any) -> None:
    """The tests' endpoint listens on 127.0.0.1: allow-listed as an operator would allow an
    on-premise network (tuki/lib/net.py). test_outbound_guard.py takes it away again."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
