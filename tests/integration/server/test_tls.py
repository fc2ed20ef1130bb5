"""TLS on --tls-port: redis-cli --tls and redis-benchmark --tls against the engine, mutual TLS
(yes refuses a client without a certificate, optional accepts both, a certificate of another
CA is refused), a 4 MiB value and a 10k pipeline, RESP3 over TLS, --port 0 (TLS only), garbage
on the TLS port closes that connection only, acknowledged writes survive kill -9, and start-up
errors that name the flag. Certificates come from the openssl CLI in a temporary directory."""
import os
import socket
import ssl
import time

import pytest
import redis

from strongbox_harness import SANITIZED, Engine, RawConnection, raw_reply, run, wait_for
from tls_harness import TlsEngine, make_certs

TLS_PARAMS = ["tls-port", "tls-cert-file", "tls-key-file", "tls-key-file-pass", "tls-ca-cert-file",
              "tls-ca-cert-dir", "tls-auth-clients", "tls-protocols", "tls-ciphers",
              "tls-ciphersuites", "tls-prefer-server-ciphers", "tls-session-caching"]


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certs(tmp_path_factory)


@pytest.fixture
def tls_engine(tmp_path, certs):
    e = TlsEngine(tmp_path / "data", certs).start()
    yield e
    assert e.stop() == 0, "the engine must shut down cleanly (seal, exit 0)"


def cli(e, *args, cert="client", timeout=60):
    cmd = ["redis-cli", "--tls", "--cacert", e.certs("ca.crt"), "-p", str(e.tls_port)]
    if cert:
        cmd += ["--cert", e.certs(f"{cert}.crt"), "--key", e.certs(f"{cert}.key")]
    p = run(cmd + list(args), timeout)
    return p.returncode, (p.stdout + p.stderr).decode(errors="replace").strip()


def refused(e, cert):
    """True if a TLS client with `cert` (None: none) gets no reply to PING."""
    try:
        return not e.client(cert=cert, socket_timeout=10).ping()
    except (redis.exceptions.ConnectionError, ssl.SSLError, OSError):
        return True


def test_redis_cli_tls_ping_set_get(tls_engine):
    assert cli(tls_engine, "PING") == (0, "PONG")
    assert cli(tls_engine, "SET", "k", "over tls") == (0, "OK")
    assert cli(tls_engine, "GET", "k") == (0, "over tls")
    # The plain port serves the same data.
    assert tls_engine.plain_client().get("k") == b"over tls"


def test_auth_clients_yes_refuses_a_client_without_certificate(tls_engine):
    rc, out = cli(tls_engine, "PING", cert=None)
    assert "PONG" not in out
    assert refused(tls_engine, None)
    # The client learns why: the engine sends the TLS alert before closing.
    conn = tls_engine.tls_socket(cert=None)
    with pytest.raises(ssl.SSLError, match="CERTIFICATE_REQUIRED"):
        conn.send(("PING",))
        conn.read_reply()
    conn.close()
    assert refused(tls_engine, "stranger"), "a certificate of another CA must be refused"
    assert "TLS: closing" in tls_engine.output()
    # The refusals closed those connections only.
    assert tls_engine.client().ping()


def test_auth_clients_optional_accepts_both(tmp_path, certs):
    e = TlsEngine(tmp_path / "data", certs, tls_auth_clients="optional").start()
    assert e.client(cert=None).ping()
    assert e.client().ping()
    assert refused(e, "stranger"), "a certificate given is still checked"
    assert cli(e, "PING", cert=None) == (0, "PONG")
    assert e.stop() == 0


def test_auth_clients_no_and_a_client_that_trusts_another_ca(tmp_path, certs):
    e = TlsEngine(tmp_path / "data", certs, tls_auth_clients="no").start()
    assert e.client(cert=None).ping()
    p = run(["redis-cli", "--tls", "--cacert", certs("other-ca.crt"), "-p", str(e.tls_port),
             "PING"], 60)
    assert b"PONG" not in p.stdout, "the client must refuse a server its CA did not sign"
    assert e.stop() == 0


def test_redis_benchmark_tls_pipelined_set(tls_engine):
    requests = 4000 if SANITIZED else 20000
    c = tls_engine
    p = run(["redis-benchmark", "--tls", "--cacert", c.certs("ca.crt"), "--cert",
             c.certs("client.crt"), "--key", c.certs("client.key"), "-p", str(c.tls_port),
             "-t", "set", "-n", str(requests), "-P", "16", "-c", "8", "-q"], 300)
    out = (p.stdout + p.stderr).decode(errors="replace")
    assert p.returncode == 0, out
    assert "requests per second" in out and "rror" not in out, out
    info = c.client().info("commandstats")
    assert info["cmdstat_set"]["calls"] >= requests


def test_big_value_and_long_pipeline_round_trip(tls_engine):
    c = tls_engine.client()
    big = os.urandom(4 << 20)
    assert c.set("big", big)
    assert c.get("big") == big
    n = 2000 if SANITIZED else 10000
    pipe = c.pipeline(transaction=False)
    for i in range(n):
        pipe.set(f"k{i}", f"v{i}")
    for i in range(n):
        pipe.get(f"k{i}")
    replies = pipe.execute()
    assert replies[:n] == [True] * n
    assert replies[n:] == [f"v{i}".encode() for i in range(n)]


def test_replies_beyond_the_output_limit_pause_and_resume_input(tmp_path, certs):
    e = TlsEngine(tmp_path / "data", certs, client_output_buffer_limit="65536").start()
    c = e.client()
    value = os.urandom(100_000)
    assert c.set("v", value)
    pipe = c.pipeline(transaction=False)
    for _ in range(200):
        pipe.get("v")
    pipe.ping()
    replies = pipe.execute()
    assert replies[:-1] == [value] * 200 and replies[-1] is True
    assert e.stop() == 0


def test_resp3_hello_over_tls(tls_engine):
    conn = tls_engine.tls_socket()
    try:
        conn.send(("HELLO", "3"))
        hello = conn.read_reply()
        assert hello[b"proto"] == 3
        conn.send(("HSET", "h", "f", "v"), ("HGETALL", "h"), ("PING",))
        assert conn.read_reply() == 1
        assert conn.read_reply() == {b"f": b"v"}  # a RESP3 map
        assert conn.read_reply() == b"PONG"
    finally:
        conn.close()


def test_busy_script_over_tls_kill_and_input_that_came_meanwhile(tls_engine):
    """The busy poll decrypts other clients' commands (SCRIPT KILL works over TLS) and keeps
    what the script's own client sent for after the script."""
    other = tls_engine.client()
    other.config_set("busy-reply-threshold", "100")
    runner = tls_engine.tls_socket()
    try:
        runner.send(("EVAL", "while true do end", "0"))

        def busy():
            try:
                return other.ping() and False
            except redis.ResponseError as e:
                return str(e).startswith("BUSY")
        wait_for(busy, 30, "a BUSY reply over TLS")
        runner.send(("PING",), ("SET", "after-script", "1"))
        time.sleep(0.3)  # received while the script runs (not checked: only more likely)
        assert other.script_kill()
        kill = runner.read_reply()
        assert kill[0] == "error" and "Script killed" in kill[1], kill
        assert runner.read_reply() == b"PONG"
        assert runner.read_reply() == b"OK"
    finally:
        runner.close()
    assert other.get("after-script") == b"1"


def test_plain_port_zero_listens_on_tls_only(tmp_path, certs):
    e = TlsEngine(tmp_path / "data", certs, plain=False).start()
    c = e.client()
    assert c.config_get("port") == {"port": "0"}
    assert c.config_get("tls-port") == {"tls-port": str(e.tls_port)}
    assert c.config_get("tls-auth-clients") == {"tls-auth-clients": "yes"}
    assert f"TLS port {e.tls_port}" in e.output()
    assert e.stop() == 0


def test_garbage_on_the_tls_port_closes_that_connection_only(tls_engine):
    good = tls_engine.client()
    assert good.set("before", "1")
    raw = RawConnection(tls_engine.tls_port, timeout=10)
    try:
        raw.send(("PING",))
        try:
            data = raw.read_until_closed()
        except ConnectionResetError:
            data = b""
        assert b"PONG" not in data
    finally:
        raw.close()
    assert good.get("before") == b"1"
    assert tls_engine.client().ping()


def test_acknowledged_writes_survive_kill9_over_tls(tmp_path, certs):
    e = TlsEngine(tmp_path / "data", certs).start()
    c = e.client()
    n = 300 if SANITIZED else 2000
    pipe = c.pipeline(transaction=False)
    for i in range(n):
        pipe.set(f"durable:{i}", i)
    assert all(pipe.execute())
    e.kill9()
    e.start()
    c = e.client()
    assert c.dbsize() == n
    assert c.get(f"durable:{n - 1}") == str(n - 1).encode()
    assert e.stop() == 0


def test_encrypted_key_needs_its_passphrase(tmp_path, certs):
    e = TlsEngine(tmp_path / "data", certs, tls_key_file=certs("server-enc.key"))
    rc, out = e.run_to_exit()
    assert rc != 0 and "--tls-key-file" in out and "--tls-key-file-pass" in out, out
    e = TlsEngine(tmp_path / "data", certs, tls_key_file=certs("server-enc.key"),
                  tls_key_file_pass="secret").start()
    assert e.client().ping()
    assert e.stop() == 0


@pytest.mark.parametrize("flags,words", [
    ({"tls_cert_file": "/nonexistent/cert.pem"}, ["--tls-cert-file", "cannot read"]),
    ({"tls_ca_cert_file": "/nonexistent/ca.pem"}, ["--tls-ca-cert-file", "cannot read"]),
    ({"tls_auth_clients": "maybe"}, ["--tls-auth-clients", "optional"]),
    ({"tls_protocols": "SSLv3"}, ["--tls-protocols", "sslv3"]),
    ({"tls_ciphersuites": "NOPE"}, ["--tls-ciphersuites"]),
])
def test_start_up_errors_name_the_flag(tmp_path, certs, flags, words):
    rc, out = TlsEngine(tmp_path / "data", certs, **flags).run_to_exit()
    assert rc != 0
    for word in words:
        assert word in out, out


def test_protocols_and_ciphers_are_the_configured_ones(tmp_path, certs):
    e = TlsEngine(tmp_path / "data", certs, tls_protocols="TLSv1.2",
                  tls_ciphers="ECDHE-ECDSA-CHACHA20-POLY1305", tls_session_caching="no").start()

    def handshake(version):
        ctx = ssl.create_default_context(cafile=certs("ca.crt"))
        ctx.load_cert_chain(certs("client.crt"), certs("client.key"))
        ctx.minimum_version = ctx.maximum_version = version
        with socket.create_connection(("127.0.0.1", e.tls_port), timeout=30) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(b"*1\r\n$4\r\nPING\r\n")
                return tls.version(), tls.cipher()[0], tls.recv(100)

    assert handshake(ssl.TLSVersion.TLSv1_2) == ("TLSv1.2", "ECDHE-ECDSA-CHACHA20-POLY1305",
                                                 b"+PONG\r\n")
    with pytest.raises((ssl.SSLError, ConnectionError)):
        handshake(ssl.TLSVersion.TLSv1_3)
    assert e.stop() == 0


def test_tls_directives_of_a_config_file(tmp_path, certs):
    e = TlsEngine(tmp_path / "data", certs)
    conf = tmp_path / "redis.conf"
    conf.write_text("".join(f"{flag[2:]} {value}\n"
                            for flag, value in zip(e.args[::2], e.args[1::2])))
    e.args = ["--config", str(conf)]  # the same settings, as redis.conf directives only
    e.start()
    assert e.client().ping()
    assert e.client().config_get("tls-port") == {"tls-port": str(e.tls_port)}
    assert "ignored" not in e.output()
    assert e.stop() == 0


def test_port_zero_needs_a_tls_port(tmp_path):
    e = Engine(tmp_path / "data")
    e.port = 0
    rc, out = e.run_to_exit()
    assert rc != 0 and "--port" in out and "--tls-port" in out, out


def test_tls_config_defaults_are_redis_defaults(engine_and_redis):
    e, r = engine_and_redis
    for name in TLS_PARAMS:
        got = raw_reply(e.client(), "CONFIG", "GET", name)
        want = raw_reply(r.client(), "CONFIG", "GET", name)
        assert got == want, name
