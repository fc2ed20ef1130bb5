"""replica-announce-ip / replica-announce-port, differential against redis-server 7.0: a replica
started with them (here from a config file, the same text for both) is shown by its primary's
INFO replication slaveN line and ROLE at the announced address — an IP or a hostname, as Redis
7.0 allows — instead of the connection's source and its own port; CONFIG GET/SET and REPLCONF
ip-address answer as redis-server does."""
import time

import pytest

from strongbox_harness import Engine, RedisServer, raw_reply

ANNOUNCED = [("10.1.2.3", 7777), ("replica-0.strongbox.svc.cluster.local", 6380)]


def slave0(client, timeout=60):
    """The primary's slave0 fields once the replica is online."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        fields = client.info("replication").get("slave0")
        if fields and fields.get("state") == "online":
            return fields
        time.sleep(0.05)
    raise AssertionError(f"no online replica: {client.info('replication')}")


def role_replicas(client):
    """ROLE's replicas as (ip, port): the offsets differ between the two servers."""
    return [(r[0], r[1]) for r in client.execute_command("ROLE")[2]]


@pytest.mark.parametrize("ip,port", ANNOUNCED)
def test_primary_shows_the_announced_address_as_redis_does(tmp_path, ip, port):
    engine_primary = Engine(tmp_path / "primary").start()
    redis_primary = RedisServer(tmp_path / "redis-primary").start()
    text = "replica-announce-ip {}\nreplica-announce-port {}\nreplicaof 127.0.0.1 {}\n"
    engine_conf, redis_conf = tmp_path / "engine.conf", tmp_path / "redis.conf"
    engine_conf.write_text(text.format(ip, port, engine_primary.port))
    redis_conf.write_text(text.format(ip, port, redis_primary.port))
    engine_replica = Engine(tmp_path / "replica", "--config", str(engine_conf)).start()
    redis_replica = RedisServer(tmp_path / "redis-replica", config_file=redis_conf).start()
    try:
        ours, theirs = slave0(engine_primary.client()), slave0(redis_primary.client())
        assert set(ours) == set(theirs) == {"ip", "port", "state", "offset", "lag"}
        assert (ours["ip"], ours["port"]) == (theirs["ip"], theirs["port"]) == (ip, port)
        assert role_replicas(engine_primary.client()) == role_replicas(redis_primary.client())
        for command in (("CONFIG", "GET", "replica-announce-*"),
                        ("CONFIG", "GET", "slave-announce-port"),
                        ("CONFIG", "SET", "replica-announce-port", "70000"),
                        ("CONFIG", "SET", "replica-announce-port", "x"),
                        ("CONFIG", "SET", "slave-announce-ip", ""),
                        ("CONFIG", "GET", "replica-announce-ip")):
            got = raw_reply(engine_replica.client(), *command)
            want = raw_reply(redis_replica.client(), *command)
            if command[1] == "GET":
                got, want = dict(zip(got[::2], got[1::2])), dict(zip(want[::2], want[1::2]))
            assert got == want, command
    finally:
        redis_replica.stop()
        redis_primary.stop()
        assert engine_replica.stop() == 0
        assert engine_primary.stop() == 0


def test_replconf_ip_address_answers_as_redis(engine_and_redis):
    engine, server = engine_and_redis
    for value in ("10.0.0.1", "h" * 255, "h" * 256, ""):
        command = ("REPLCONF", "ip-address", value)
        assert raw_reply(engine.client(), *command) == raw_reply(server.client(), *command)


def test_without_announce_the_primary_shows_the_source_address_and_port(tmp_path):
    primary = Engine(tmp_path / "primary").start()
    replica = Engine(tmp_path / "replica", "--replicaof", "127.0.0.1", str(primary.port)).start()
    try:
        fields = slave0(primary.client())
        assert (fields["ip"], fields["port"]) == ("127.0.0.1", replica.port)
        # CONFIG SET takes effect from the next link (Redis: its next handshake).
        c = replica.client()
        assert c.config_set("replica-announce-ip", "engine-replica-1")
        assert c.config_set("replica-announce-port", "16379")
        assert c.execute_command("REPLICAOF", "NO", "ONE")
        assert c.execute_command("REPLICAOF", "127.0.0.1", primary.port)
        deadline = time.time() + 60
        while slave0(primary.client()).get("ip") != "engine-replica-1":
            assert time.time() < deadline, primary.client().info("replication")
            time.sleep(0.05)
        assert slave0(primary.client())["port"] == 16379
    finally:
        assert replica.stop() == 0
        assert primary.stop() == 0
