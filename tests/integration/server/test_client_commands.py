"""CLIENT subcommands against Debian's redis-server: the same steps on raw connections of each
server give the same replies (CLIENT REPLY OFF/SKIP/ON, KILL filters and errors, LIST/INFO
errors), and CLIENT INFO/LIST lines carry Redis 7.0's field names in its order."""
import pytest

from strongbox_harness import RawConnection, wait_for


def replies(port, commands, expected_replies):
    c = RawConnection(port, timeout=10)
    c.send(*commands)
    got = [c.read_reply() for _ in range(expected_replies)]
    c.close()
    return got


def same_on_both(engine_and_redis, commands, expected_replies):
    got = [replies(s.port, commands, expected_replies) for s in engine_and_redis]
    assert got[0] == got[1]
    return got[0]


def test_client_reply_off_skip_on(engine_and_redis):
    commands = [("CLIENT", "REPLY", "SKIP"), ("SET", "a", "1"), ("GET", "a"),
                ("CLIENT", "REPLY", "OFF"), ("SET", "a", "2"), ("GET", "a"),
                ("CLIENT", "REPLY", "SKIP"), ("GET", "a"),
                ("CLIENT", "REPLY", "ON"), ("GET", "a"), ("CLIENT", "REPLY", "BAD"),
                ("CLIENT", "REPLY")]
    assert same_on_both(engine_and_redis, commands, 5) == [
        b"1", b"OK", b"2", ("error", "ERR syntax error"),
        ("error", "ERR wrong number of arguments for 'client|reply' command")]


ERROR_CASES = [
    ("CLIENT", "LIST", "TYPE", "foo"), ("CLIENT", "LIST", "ID", "abc"),
    ("CLIENT", "LIST", "ID", "0"), ("CLIENT", "LIST", "foo", "bar"),
    ("CLIENT", "LIST", "TYPE", "pubsub"), ("CLIENT", "KILL", "ID", "0"),
    ("CLIENT", "KILL", "ID", "99", "TYPE", "x"), ("CLIENT", "KILL", "USER", "bob"),
    ("CLIENT", "KILL", "1.2.3.4:5"), ("CLIENT", "KILL", "SKIPME", "maybe"),
    ("CLIENT", "KILL", "ID", "5", "TYPE"), ("CLIENT", "KILL", "ID", "1", "foo", "bar"),
    ("CLIENT", "KILL", "LADDR", "1.2.3.4:5", "USER", "default"), ("CLIENT", "KILL"),
    ("CLIENT", "KILL", "ID", "999999"), ("CLIENT", "NO-EVICT", "maybe"),
    ("CLIENT", "NO-EVICT", "on"), ("CLIENT", "NO-EVICT", "off"), ("CLIENT", "INFO", "x"),
    ("CLIENT", "NOSUCH"), ("CLIENT", "SETNAME", "a b"), ("CLIENT", "SETNAME", "me"),
    ("CLIENT", "GETNAME"),
]


@pytest.mark.parametrize("command", ERROR_CASES, ids=lambda c: " ".join(c[1:]))
def test_client_replies_and_errors_match_redis(engine_and_redis, command):
    same_on_both(engine_and_redis, [command], 1)


def field_names(line):
    return [kv.split("=", 1)[0] for kv in line.strip().split(" ")]


def test_client_info_and_list_field_names_match_redis(engine_and_redis):
    names = []
    for server in engine_and_redis:
        c = server.client()
        info = c.execute_command("CLIENT", "INFO")
        info = info.decode() if isinstance(info, bytes) else info
        listed = c.execute_command("CLIENT", "LIST", "ID", c.client_id())
        listed = listed.decode() if isinstance(listed, bytes) else listed
        assert field_names(info) == field_names(listed)
        assert "cmd=client|" in info and "resp=2" in info and " flags=N " in info
        names.append(field_names(info))
    assert names[0] == names[1]


def kill_scenario(server, kill_args):
    """A victim (subscribed, so TYPE pubsub matches it) and a killer; returns the killer's
    reply and whether the victim's connection was closed."""
    victim = RawConnection(server.port, timeout=10)
    victim.send(("CLIENT", "ID"))
    victim_id = victim.read_reply()
    victim.send(("SUBSCRIBE", "ch"))
    victim.read_reply()
    addr = [line for line in server.client().execute_command("CLIENT", "LIST").decode()
            .splitlines() if line.startswith("id=%d " % victim_id)][0].split(" ")[1][5:]
    args = [a.replace("VICTIM_ID", str(victim_id)).replace("VICTIM_ADDR", addr)
            for a in kill_args]
    killer = RawConnection(server.port, timeout=10)
    killer.send(("CLIENT", "KILL", *args))
    reply = killer.read_reply()
    killer.send(("PING",))
    killer_alive = killer.read_reply() == b"PONG"
    victim.sock.settimeout(2)
    try:
        victim.send(("PING",))
        victim_closed = victim.read_until_closed() == b""
    except (OSError, EOFError):
        victim_closed = True
    except TimeoutError:
        victim_closed = False
    victim.close()
    killer.close()
    return reply, victim_closed, killer_alive


@pytest.mark.parametrize("kill_args", [
    ["ID", "VICTIM_ID"], ["ADDR", "VICTIM_ADDR"], ["VICTIM_ADDR"], ["TYPE", "pubsub"],
    ["TYPE", "normal", "ID", "VICTIM_ID"], ["USER", "default", "ID", "VICTIM_ID"],
    ["ID", "VICTIM_ID", "SKIPME", "no"],
])
def test_client_kill_filters(engine_and_redis, kill_args):
    results = [kill_scenario(s, kill_args) for s in engine_and_redis]
    assert results[0] == results[1]


def test_client_kill_skipme_no_closes_the_caller_after_its_reply(engine):
    c = RawConnection(engine.port, timeout=10)
    c.send(("CLIENT", "ID"))
    my_id = c.read_reply()
    c.send(("CLIENT", "KILL", "ID", str(my_id), "SKIPME", "no"))
    assert c.read_reply() == 1
    assert c.read_until_closed() == b""
    wait_for(lambda: all(line.find("id=%d " % my_id) != 0 for line in
                         engine.client().execute_command("CLIENT", "LIST").decode()
                         .splitlines()), what="the connection gone")


def unblock_scenario(server, reason):
    blocked = RawConnection(server.port, timeout=10)
    blocked.send(("CLIENT", "ID"))
    blocked_id = blocked.read_reply()
    blocked.send(("BLPOP", "nolist", "0"), ("PING",))  # the PING waits behind the BLPOP
    c = server.client()
    wait_for(lambda: c.info("clients")["blocked_clients"] == 1, what="the BLPOP parked")
    args = ("CLIENT", "UNBLOCK", blocked_id) + ((reason,) if reason else ())
    answers = [c.execute_command(*args)]
    answers += [blocked.read_reply(), blocked.read_reply()]
    answers.append(c.execute_command("CLIENT", "UNBLOCK", blocked_id))  # no longer blocked
    blocked.close()
    return answers


@pytest.mark.parametrize("reason", [None, "TIMEOUT", "ERROR"])
def test_client_unblock_matches_redis(engine_and_redis, reason):
    results = [unblock_scenario(s, reason) for s in engine_and_redis]
    assert results[0] == results[1]
    assert results[0][0] == 1 and results[0][2] == b"PONG"


@pytest.mark.parametrize("args", [("abc",), ("1", "MAYBE"), ("99999",), ("1", "TIMEOUT", "x")])
def test_client_unblock_errors_match_redis(engine_and_redis, args):
    same_on_both(engine_and_redis, [("CLIENT", "UNBLOCK", *args)], 1)


def test_client_pause_write_holds_writes_and_serves_reads(engine):
    admin = RawConnection(engine.port, timeout=10)
    admin.send(("SET", "k", "before"))
    assert admin.read_reply() == b"OK"
    admin.send(("CLIENT", "PAUSE", "60000", "WRITE"))
    assert admin.read_reply() == b"OK"
    other = RawConnection(engine.port, timeout=10)
    other.send(("GET", "k"))
    assert other.read_reply() == b"before"  # reads go on
    writer = RawConnection(engine.port, timeout=10)
    writer.send(("SET", "k", "after"), ("GET", "k"))
    writer.sock.settimeout(0.5)
    with pytest.raises(TimeoutError):
        writer.read_reply()  # the write waits, and the read behind it
    other.send(("GET", "k"))
    assert other.read_reply() == b"before"
    admin.send(("CLIENT", "UNPAUSE"))
    assert admin.read_reply() == b"OK"
    writer.sock.settimeout(10)
    assert [writer.read_reply(), writer.read_reply()] == [b"OK", b"after"]
    for c in (admin, other, writer):
        c.close()


def test_client_pause_ends_at_its_timeout(engine):
    c = engine.client()
    assert c.execute_command("CLIENT", "PAUSE", "300", "ALL")
    writer = engine.client()
    assert writer.set("k", "v")  # waits for the end of the pause, then runs
    assert writer.get("k") == b"v"


@pytest.mark.parametrize("args", [("abc",), ("-1",), ("10", "MAYBE"), ("10", "WRITE", "x")])
def test_client_pause_errors_match_redis(engine_and_redis, args):
    same_on_both(engine_and_redis, [("CLIENT", "PAUSE", *args)], 1)
