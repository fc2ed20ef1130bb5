"""TLS for integration tests: certificates from scripts/gen-tls-certs.sh, and TlsEngine, an
engine with a TLS listener whose client() speaks TLS with a client certificate."""
import os
import socket
import ssl
import subprocess

import redis

from strongbox_harness import Engine, RawConnection, free_port

GEN_CERTS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts",
                         "gen-tls-certs.sh")


def make_certs(tmp_path_factory):
    """certs(name): ca.crt signs server.crt (127.0.0.1, localhost) and client.crt; another
    CA signed stranger.crt; server-enc.key is server.key under the passphrase 'secret'."""
    d = str(tmp_path_factory.mktemp("certs"))
    other = str(tmp_path_factory.mktemp("other-ca"))
    for where in (d, other):
        subprocess.run(["bash", GEN_CERTS, where], check=True, capture_output=True, timeout=120)
    for ext in ("crt", "key"):
        os.rename(os.path.join(other, f"client.{ext}"), os.path.join(d, f"stranger.{ext}"))
    os.rename(os.path.join(other, "ca.crt"), os.path.join(d, "other-ca.crt"))
    subprocess.run(["openssl", "pkey", "-in", "server.key", "-aes256", "-passout", "pass:secret",
                    "-out", "server-enc.key"], cwd=d, check=True, capture_output=True, timeout=60)
    return lambda name: os.path.join(d, name)


class TlsEngine(Engine):
    """An engine with a TLS listener; client() speaks TLS with the client certificate."""

    def __init__(self, data_dir, certs, plain=True, **flags):
        """flags: tls_auth_clients="no" gives --tls-auth-clients no (and overrides the
        default the fixture gives)."""
        self.certs = certs
        self.tls_port = free_port()
        given = {"tls_port": str(self.tls_port), "tls_cert_file": certs("server.crt"),
                 "tls_key_file": certs("server.key"), "tls_ca_cert_file": certs("ca.crt"),
                 "tls_auth_clients": "yes"}
        given.update(flags)
        args = []
        for name, value in given.items():
            args += ["--" + name.replace("_", "-"), value]
        super().__init__(data_dir, *args)
        if not plain:
            self.port = 0

    def client(self, cert="client", **kw):
        kw.setdefault("socket_timeout", 30)
        if cert:
            kw.update(ssl_certfile=self.certs(f"{cert}.crt"), ssl_keyfile=self.certs(f"{cert}.key"))
        return redis.Redis(host="127.0.0.1", port=self.tls_port, ssl=True,
                           ssl_ca_certs=self.certs("ca.crt"), ssl_cert_reqs="required", **kw)

    def plain_client(self):
        return super().client()

    def tls_socket(self, cert="client"):
        """A raw TLS connection (RawConnection over an ssl socket)."""
        ctx = ssl.create_default_context(cafile=self.certs("ca.crt"))
        if cert:
            ctx.load_cert_chain(self.certs(f"{cert}.crt"), self.certs(f"{cert}.key"))
        raw = socket.create_connection(("127.0.0.1", self.tls_port), timeout=30)
        conn = RawConnection.__new__(RawConnection)
        conn.sock, conn.buf = ctx.wrap_socket(raw, server_hostname="localhost"), b""
        return conn
