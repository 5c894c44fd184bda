"""A real OpenLDAP server for the tests: slapd started from a temporary slapd.conf on free
ports (plain and LDAPS with a self-signed certificate), loaded with a small directory."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
MODULES = "/usr/lib/ldap"
SCHEMA = "/etc/ldap/schema"

BASE = "dc=tuki,dc=test"
ADMIN_DN = f"cn=admin,{BASE}"
ADMIN_PASSWORD = "directory-secret"
USER_PASSWORD = "Correct-Horse-7"

# A little of Active Directory's schema: enough for sAMAccountName sign-in and the
# userAccountControl "disabled" bit (2).
AD_SCHEMA = """
attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.55555.1.1 NAME 'tukiAdAccount' SUP top AUXILIARY
  MAY ( userAccountControl $ sAMAccountName ) )
"""

DIRECTORY = f"""dn: {BASE}
objectClass: dcObject
objectClass: organization
dc: tuki
o: Tuki test

dn: ou=people,{BASE}
objectClass: organizationalUnit
ou: people

dn: ou=groups,{BASE}
objectClass: organizationalUnit
ou: groups

dn: uid=alice,ou=people,{BASE}
objectClass: inetOrgPerson
objectClass: tukiAdAccount
uid: alice
sAMAccountName: alice
cn: Alice Agent
sn: Agent
mail: alice@acme.fi
telephoneNumber: +358 40 100 2000
o: Acme Oy
userAccountControl: 512
userPassword: {USER_PASSWORD}

dn: uid=bob,ou=people,{BASE}
objectClass: inetOrgPerson
objectClass: tukiAdAccount
uid: bob
sAMAccountName: bob
cn: Bob Builder
sn: Builder
mail: bob@acme.fi
userAccountControl: 512
userPassword: {USER_PASSWORD}

dn: uid=carol,ou=people,{BASE}
objectClass: inetOrgPerson
objectClass: tukiAdAccount
uid: carol
sAMAccountName: carol
cn: Carol Gone
sn: Gone
mail: carol@acme.fi
userAccountControl: 514
userPassword: {USER_PASSWORD}

dn: uid=nomail,ou=people,{BASE}
objectClass: inetOrgPerson
uid: nomail
cn: No Mail
sn: Mail
userPassword: {USER_PASSWORD}

dn: cn=helpdesk,ou=groups,{BASE}
objectClass: groupOfNames
cn: helpdesk
member: uid=alice,ou=people,{BASE}

dn: cn=network,ou=groups,{BASE}
objectClass: groupOfNames
cn: network
member: uid=alice,ou=people,{BASE}
member: uid=bob,ou=people,{BASE}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Slapd:
    port: int
    tls_port: int
    ca_pem: str
    workdir: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def tls_url(self) -> str:
        return f"ldaps://localhost:{self.tls_port}"

    def ldif(self, text: str) -> None:
        """Change the running directory (ldapmodify with the admin's bind)."""
        subprocess.run(
            ["ldapmodify", "-x", "-H", self.url, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD],
            input=text.encode(),
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def available() -> bool:
    tools = ("openssl", "ldapmodify")
    return os.path.exists(SLAPD) and os.path.exists(SLAPADD) and all(map(shutil.which, tools))


def _certificate(workdir: Path) -> tuple[Path, Path]:
    cert, key = workdir / "cert.pem", workdir / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def start(workdir: Path) -> Slapd:
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / "data"
    data.mkdir(exist_ok=True)
    cert, key = _certificate(workdir)
    (workdir / "ad.schema").write_text(AD_SCHEMA)
    conf = workdir / "slapd.conf"
    conf.write_text(
        f"""include {SCHEMA}/core.schema
include {SCHEMA}/cosine.schema
include {SCHEMA}/inetorgperson.schema
include {workdir}/ad.schema
modulepath {MODULES}
moduleload back_mdb
pidfile {workdir}/slapd.pid
TLSCertificateFile {cert}
TLSCertificateKeyFile {key}
database mdb
maxsize 10485760
suffix "{BASE}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
directory {data}
index objectClass eq
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
"""
    )
    (workdir / "directory.ldif").write_text(DIRECTORY)
    subprocess.run(
        [SLAPADD, "-f", str(conf), "-l", str(workdir / "directory.ldif")],
        check=True,
        capture_output=True,
    )
    port, tls_port = free_port(), free_port()
    urls = f"ldap://127.0.0.1:{port}/ ldaps://127.0.0.1:{tls_port}/"
    process = subprocess.Popen(
        [SLAPD, "-f", str(conf), "-h", urls, "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "slapd.log", "wb"),
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("slapd ended: " + (workdir / "slapd.log").read_text())
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            socket.create_connection(("127.0.0.1", tls_port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("slapd did not start")
    return Slapd(port, tls_port, cert.read_text(), workdir, process)
