from collections.abc import Iterator

import pytest

from tuki.identity.tests import slapd as slapd_server


@pytest.fixture(scope="session")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[slapd_server.Slapd]:
    if not slapd_server.available():
        pytest.skip("slapd (Debian packages slapd, ldap-utils) or openssl is not installed")
    server = slapd_server.start(tmp_path_factory.mktemp("slapd"))
    yield server
    server.stop()
