"""Debian's unmodified python3-redis PubSub (RESP2) against the engine, and the same scenario
against redis-server: channels and patterns, get_message, listen() in a thread, unsubscribe
all; subscriptions leave with their connection; INFO and CLIENT LIST report them."""
import threading

from strongbox_harness import wait_for


def scenario(client):
    """Returns every message the PubSub object saw, in order."""
    seen = []
    p = client.pubsub()
    p.subscribe("news", "sport")
    p.psubscribe("news.*")
    for _ in range(3):
        seen.append(p.get_message(timeout=10))
    seen.append(client.publish("news", "hello"))
    seen.append(client.publish("news.tech", "gadgets"))
    seen.append(client.publish("weather", "nobody listens"))
    seen.append(p.get_message(timeout=10))
    seen.append(p.get_message(timeout=10))
    seen.append(client.pubsub_numsub("news", "sport", "weather"))
    seen.append(client.pubsub_numpat())
    p.unsubscribe()  # all channels
    p.punsubscribe()
    confirmations = [p.get_message(timeout=10) for _ in range(3)]
    # Redis walks a hash table when unsubscribing from everything: which channel comes first
    # may differ, the counts going down may not.
    seen.append(sorted(m["channel"] for m in confirmations[:2]))
    seen.append([m["data"] for m in confirmations[:2]])
    seen.append(confirmations[2])
    seen.append(p.subscribed)
    seen.append(client.pubsub_channels())
    p.close()
    return seen


def test_same_pubsub_session_as_redis(engine_and_redis):
    e, r = engine_and_redis
    got, want = scenario(e.client()), scenario(r.client())
    assert got == want
    assert got[0] == {"type": "subscribe", "pattern": None, "channel": b"news", "data": 1}
    assert got[3:6] == [1, 1, 0]
    assert got[6] == {"type": "message", "pattern": None, "channel": b"news", "data": b"hello"}
    assert got[7] == {"type": "pmessage", "pattern": b"news.*", "channel": b"news.tech",
                      "data": b"gadgets"}
    assert got[-2] is False


def test_listen_in_a_thread_gets_every_message_in_order(engine):
    r = engine.client()
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe("jobs")
    p.psubscribe("jobs.*")
    assert p.get_message(timeout=10) is None  # the confirmations are swallowed
    received = []

    def listen():
        for m in p.listen():
            if m["type"] in ("message", "pmessage"):
                received.append((m["type"], m["channel"], m["data"]))
                if m["data"] == b"stop":
                    return

    t = threading.Thread(target=listen)
    t.start()
    wait_for(lambda: r.pubsub_numsub("jobs")[0][1] == 1, what="the subscription")
    for i in range(200):
        assert r.publish("jobs", str(i)) == 1
        assert r.publish("jobs.low", str(i)) == 1
    r.publish("jobs", "stop")
    t.join(30)
    assert not t.is_alive()
    direct = [d for kind, _, d in received if kind == "message"]
    patterned = [d for kind, _, d in received if kind == "pmessage"]
    assert direct == [str(i).encode() for i in range(200)] + [b"stop"]
    assert patterned == [str(i).encode() for i in range(200)]
    p.close()


def test_subscriptions_leave_with_the_connection_and_show_in_info(engine):
    r = engine.client()
    p = r.pubsub()
    p.subscribe("a", "b")
    p.psubscribe("x*")
    for _ in range(3):
        p.get_message(timeout=10)
    stats = r.info("stats")
    assert (stats["pubsub_channels"], stats["pubsub_patterns"]) == (2, 1)
    mine = [c for c in r.client_list() if c["sub"] == "2"]
    assert len(mine) == 1 and mine[0]["psub"] == "1" and mine[0]["ssub"] == "0"
    p.close()  # closes its connection: the engine drops its subscriptions
    wait_for(lambda: r.pubsub_numsub("a", "b") == [(b"a", 0), (b"b", 0)] and
             r.pubsub_numpat() == 0, what="subscriptions removed on close")
    assert r.publish("a", "gone") == 0
    stats = r.info("stats")
    assert (stats["pubsub_channels"], stats["pubsub_patterns"]) == (0, 0)


def test_publish_inside_multi_exec_is_delivered_at_exec(engine):
    r = engine.client()
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe("tx")
    assert p.get_message(timeout=10) is None
    pipe = r.pipeline(transaction=True)
    pipe.set("k", "v")
    pipe.publish("tx", "one")
    pipe.publish("tx", "two")
    assert pipe.execute() == [True, 1, 1]
    assert p.get_message(timeout=10)["data"] == b"one"
    assert p.get_message(timeout=10)["data"] == b"two"
    assert r.get("k") == b"v"
    p.close()
