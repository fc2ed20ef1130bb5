"""Replication over TLS (--tls-replication yes): a replica of a TLS-only primary that requires
client certificates catches up from empty, resumes by PSYNC after a restart and equals the
primary under write load; WAIT counts it; an ACL user authenticates over TLS; a replica that
does not trust the primary's certificate never links and says why. REPLICAOF answers at once
whatever the old link is doing (connecting to an address that never answers, in a TLS
handshake). The new settings' names and defaults are Redis's."""
import contextlib
import itertools
import socket
import threading
import time

import pytest

from rdb_fill import fill
from strongbox_harness import Engine, dump, raw_reply, wait_for
from tls_harness import TlsEngine, make_certs

TLS_REPLICATION_PARAMS = ["tls-replication", "tls-client-cert-file", "tls-client-key-file",
                          "tls-client-key-file-pass"]


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certs(tmp_path_factory)


@pytest.fixture
def primary(tmp_path, certs):
    """TLS only (--port 0), client certificates required."""
    e = TlsEngine(tmp_path / "primary", certs, plain=False).start()
    yield e
    assert e.stop() == 0, e.output()[-2000:]


def tls_replica(tmp_path, certs, primary, *args, name="replica", ca="ca.crt", wait=True):
    """A replica (plain port for the test's client) linked to `primary` over TLS, presenting
    client.crt; `ca`: what it checks the primary's certificate against."""
    flags = ["--replicaof", "127.0.0.1", str(primary.tls_port), "--tls-replication", "yes",
             "--tls-ca-cert-file", certs(ca), "--tls-client-cert-file", certs("client.crt"),
             "--tls-client-key-file", certs("client.key")]
    return Engine(tmp_path / name, *flags, *args).start(wait=wait)


def replication_info(engine):
    return engine.client().info("replication")


def wait_synced(primary, replica, timeout=60):
    def synced():
        want = replication_info(primary)["master_repl_offset"]
        got = replication_info(replica)
        return got.get("master_link_status") == "up" and got.get("slave_repl_offset") == want

    wait_for(synced, timeout, "the replica to hold every record of the primary:\n" +
             replica.output()[-2000:])


def assert_same_state(primary, replica):
    wait_synced(primary, replica)
    assert dump(replica.client()) == dump(primary.client())


def fill_big(client, prefix, n=200):
    """~2 MB of 10 kB values: a snapshot and record runs spanning many TLS records."""
    p = client.pipeline(transaction=False)
    for i in range(n):
        p.set(f"{prefix}:{i}", bytes([i % 256]) * 10_000)
    p.execute()


@contextlib.contextmanager
def write_load(engine, writers=3):
    """Pipelined writes from `writers` threads for the block; their errors fail it."""
    stop, errors = threading.Event(), []

    def run(n):
        p = engine.client().pipeline(transaction=False)
        try:
            for i in itertools.count():
                if stop.is_set():
                    return
                p.set(f"w{n}:{i % 300}", i).incr(f"counter:{n}").zincrby("wz", 1, f"m{i % 20}")
                if i % 16 == 15:
                    p.execute()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    try:
        yield
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors


def test_tls_replica_catches_up_resumes_by_psync_and_follows_write_load(tmp_path, certs,
                                                                         primary):
    c = primary.client()
    fill(c, "a", db_count=2)
    fill_big(c, "big")
    replica = tls_replica(tmp_path, certs, primary)
    assert_same_state(primary, replica)
    assert replication_info(primary)["sync_full"] == 1
    # The primary lists it by the plain port it gave in REPLCONF listening-port.
    assert replication_info(primary)["slave0"]["port"] == replica.port

    assert replica.stop() == 0
    fill(c, "b")  # written while the replica is down: served from the primary's segments
    replica.start()
    assert_same_state(primary, replica)
    info = replication_info(primary)
    assert info["sync_partial_ok"] == 1 and info["sync_full"] == 1, info

    with write_load(primary):
        fill_big(c, "during")
        wait_for(lambda: replica.client().exists("during:199"), 60, "the live stream")
    assert_same_state(primary, replica)
    assert replica.stop() == 0


def test_wait_counts_a_tls_replica(tmp_path, certs, primary):
    replica = tls_replica(tmp_path, certs, primary)
    wait_synced(primary, replica)
    c = primary.client()
    c.set("k", "v")
    assert c.execute_command("WAIT", 1, 0) == 1
    assert replica.client().get("k") == b"v"
    assert replica.stop() == 0


def test_acl_user_and_masterauth_over_tls(tmp_path, certs):
    primary = TlsEngine(tmp_path / "primary", certs, plain=False, requirepass="admin").start()
    c = primary.client(password="admin")
    c.execute_command("ACL", "SETUSER", "repl", "on", ">replpw", "~*", "+@all")
    c.set("k", "v")
    bad = tls_replica(tmp_path, certs, primary, "--masteruser", "repl", "--masterauth", "nope",
                      name="bad")
    wait_for(lambda: "AUTH refused" in bad.output(), 30, "the refused AUTH in the log")
    assert replication_info(bad)["master_link_status"] == "down"
    assert bad.stop() == 0
    replica = tls_replica(tmp_path, certs, primary, "--masteruser", "repl", "--masterauth",
                          "replpw")
    wait_for(lambda: replica.client().get("k") == b"v", 30, "the replica to sync")
    assert replication_info(replica)["master_link_status"] == "up"
    assert replica.stop() == 0
    assert primary.stop() == 0


def test_a_replica_that_does_not_trust_the_primary_never_links(tmp_path, certs, primary):
    primary.client().set("k", "v")
    replica = tls_replica(tmp_path, certs, primary, ca="other-ca.crt")
    wait_for(lambda: "certificate verify failed" in replica.output(), 30,
             "the verify failure in the log")
    time.sleep(1.5)  # at least one retry
    assert replication_info(replica)["master_link_status"] == "down"
    assert replica.client().get("k") is None
    assert "TLS handshake with 127.0.0.1:%d failed" % primary.tls_port in replica.output()
    assert replica.stop() == 0
    # Fixed (the TLS settings are read at start): it links.
    fixed = tls_replica(tmp_path, certs, primary)
    wait_synced(primary, fixed)
    assert fixed.client().get("k") == b"v"
    assert fixed.stop() == 0


def test_a_replica_without_a_certificate_is_refused_by_mutual_tls(tmp_path, certs, primary):
    flags = ["--replicaof", "127.0.0.1", str(primary.tls_port), "--tls-replication", "yes",
             "--tls-ca-cert-file", certs("ca.crt")]  # no certificate of its own
    replica = Engine(tmp_path / "replica", *flags).start()
    wait_for(lambda: "certificate required" in replica.output(), 30, "the alert in the log")
    assert replication_info(replica)["master_link_status"] == "down"
    assert replica.stop() == 0


def test_tls_replication_settings_are_redis_defaults(engine_and_redis):
    e, r = engine_and_redis
    for name in TLS_REPLICATION_PARAMS:
        assert raw_reply(e.client(), "CONFIG", "GET", name) == \
            raw_reply(r.client(), "CONFIG", "GET", name), name


def test_tls_replication_settings_from_a_config_file(tmp_path, certs):
    conf = tmp_path / "strongbox.conf"
    conf.write_text(f"tls-replication yes\ntls-ca-cert-file {certs('ca.crt')}\n"
                    f"tls-client-cert-file {certs('client.crt')}\n"
                    f"tls-client-key-file {certs('client.key')}\n")
    e = Engine(tmp_path / "data", "--config", str(conf)).start()
    got = e.client().config_get("tls-*")
    assert got["tls-replication"] == "yes"
    assert got["tls-client-cert-file"] == certs("client.crt")
    assert got["tls-client-key-file-pass"] == ""
    assert e.stop() == 0


def test_tls_replication_needs_a_ca(tmp_path, certs):
    rc, out = Engine(tmp_path / "data", "--tls-replication", "yes").run_to_exit()
    assert rc != 0 and "--tls-ca-cert-file" in out, out
    rc, out = Engine(tmp_path / "data", "--tls-replication", "maybe").run_to_exit()
    assert rc != 0 and "--tls-replication" in out, out


def silent_listener(backlog):
    """A listening socket nobody accepts from. Backlog 0 with one connection queued: the
    kernel drops further SYNs, so a connect() to it hangs."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(backlog)
    fillers = []
    if backlog == 0:
        for _ in range(2):
            f = socket.socket()
            f.setblocking(False)
            f.connect_ex(s.getsockname())
            fillers.append(f)
        time.sleep(0.2)
    return s, fillers


def assert_replicaof_answers_while_linking(engine, ports, rounds=6):
    """REPLICAOF to addresses that never answer, one after the other, then NO ONE: each answers
    and the role follows (a REPLICAOF that waited for the old link's connect timeout, 5 s,
    would take the client's timeout below several times over)."""
    c = engine.client(socket_timeout=20)
    start = time.monotonic()
    for i in range(rounds):
        assert c.execute_command("REPLICAOF", "127.0.0.1", ports[i % len(ports)]) == b"OK"
        time.sleep(0.2)  # the link is inside connect() / the handshake now
        assert c.execute_command("ROLE")[0] == b"slave"
    assert c.execute_command("REPLICAOF", "NO", "ONE") == b"OK"
    assert c.execute_command("ROLE")[0] == b"master"
    assert c.set("writable", "again")
    assert time.monotonic() - start < 20  # guard only: 6 blocked REPLICAOFs would take 30 s


def test_replicaof_answers_while_the_old_link_connects(tmp_path):
    listeners = [silent_listener(0) for _ in range(2)]
    e = Engine(tmp_path / "data").start()
    assert_replicaof_answers_while_linking(e, [s.getsockname()[1] for s, _ in listeners])
    assert e.stop() == 0


def test_replicaof_answers_while_the_old_link_waits_in_the_tls_handshake(tmp_path, certs):
    listeners = [silent_listener(8) for _ in range(2)]
    e = Engine(tmp_path / "data", "--tls-replication", "yes", "--tls-ca-cert-file",
               certs("ca.crt")).start()
    assert_replicaof_answers_while_linking(e, [s.getsockname()[1] for s, _ in listeners])
    assert e.stop() == 0
