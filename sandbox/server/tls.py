"""TLS for the sandbox: a local test CA (trustme) that clients trust via REQUESTS_CA_BUNDLE.

`b24pysdk` only builds `https://<domain>/rest` URLs, so the sandbox must speak HTTPS with a
certificate a client can verify, without patching the client. The CA is kept in a directory so
that a client configured once keeps working across restarts.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme

CA_CERT_FILE = "sandbox-ca.pem"
CA_KEY_FILE = "sandbox-ca.key"


@dataclass(frozen=True)
class ServerTls:
    context: ssl.SSLContext
    ca_path: Path  # give this to clients: REQUESTS_CA_BUNDLE=<ca_path>


def load_or_create_ca(directory: Path) -> trustme.CA:
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / CA_CERT_FILE, directory / CA_KEY_FILE
    if cert_path.exists() and key_path.exists():
        return trustme.CA.from_pem(cert_path.read_bytes(), key_path.read_bytes())
    ca = trustme.CA(organization_name="crm-warehouse sandbox")
    ca.cert_pem.write_to_path(str(cert_path))
    ca.private_key_pem.write_to_path(str(key_path))
    key_path.chmod(0o600)
    return ca


def server_tls(directory: Path, hostnames: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")) -> ServerTls:
    ca = load_or_create_ca(directory)
    leaf = ca.issue_cert(*hostnames)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    leaf.configure_cert(context)
    return ServerTls(context=context, ca_path=directory / CA_CERT_FILE)
