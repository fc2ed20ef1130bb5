"""A subscriber that never reads is disconnected at the pubsub client-output-buffer-limit
(logged), so the engine's memory stays bounded however much is published; CONFIG GET/SET of
client-output-buffer-limit behave like Redis's."""
import os
import socket

import pytest

from strongbox_harness import RawConnection, wait_for

SANITIZED = os.environ.get("STRONGBOX_SANITIZED") == "1"


def never_reading_subscriber(port, channel):
    sub = RawConnection(port, timeout=60)
    sub.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sub.send(("SUBSCRIBE", channel))
    assert sub.read_reply() == [b"subscribe", channel.encode(), 1]
    return sub


def test_config_get_and_set_client_output_buffer_limit(engine):
    r = engine.client()
    assert r.config_get("client-output-buffer-limit") == {
        "client-output-buffer-limit":
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"}
    assert r.config_set("client-output-buffer-limit", "pubsub 1mb 512kb 10")
    assert r.config_get("client-output-buffer-limit")["client-output-buffer-limit"].endswith(
        "pubsub 1048576 524288 10")
    with pytest.raises(Exception, match="Wrong number of arguments in buffer limit"):
        r.config_set("client-output-buffer-limit", "pubsub 1mb 0")


def test_slow_subscriber_is_disconnected_and_memory_stays_bounded(engine):
    r = engine.client()
    r.config_set("client-output-buffer-limit", "pubsub 1mb 0 0")
    sub = never_reading_subscriber(engine.port, "firehose")
    rss_before = r.info("memory")["used_memory_rss"]
    payload = b"x" * (64 * 1024)
    total_mb = 64 if SANITIZED else 256
    receivers = []
    pipe = r.pipeline(transaction=False)
    for i in range(total_mb * 16):  # 16 messages of 64 KiB per MiB
        pipe.publish("firehose", payload)
        if i % 64 == 63:
            receivers += pipe.execute()
    assert receivers[0] == 1
    assert receivers[-1] == 0, "the slow subscriber must be gone long before the end"
    assert r.pubsub_numsub("firehose") == [(b"firehose", 0)]
    assert "closed for overcoming of output buffer limits (pubsub" in engine.output()
    # What the engine took on for the subscriber: up to the limit plus what the kernel's socket
    # buffers absorbed, whatever was published.
    delivered_mib = sum(receivers) * len(payload) / (1024 * 1024)
    assert delivered_mib < 1 + 16, f"{delivered_mib} MiB delivered to a subscriber that never reads"
    growth = r.info("memory")["used_memory_rss"] - rss_before
    if not SANITIZED:  # ASan's quarantine keeps freed memory: its RSS says nothing here
        assert growth < 64 * 1024 * 1024, f"RSS grew by {growth} bytes for {total_mb} MiB published"
    # Its connection is gone from the engine (draining the bytes already in the kernel through
    # a 4 KiB window would take minutes, so the test looks from the server's side).
    addr = "%s:%d" % sub.sock.getsockname()
    wait_for(lambda: all(c["addr"] != addr for c in r.client_list()), what="connection freed")
    sub.close()
    assert r.ping()


def test_soft_limit_disconnects_after_its_seconds(engine):
    r = engine.client()
    r.config_set("client-output-buffer-limit", "pubsub 0 256kb 1")
    sub = never_reading_subscriber(engine.port, "drip")
    payload = b"y" * (64 * 1024)
    for _ in range(64):  # well above the soft limit, no hard limit
        r.publish("drip", payload)

    def gone():
        r.publish("drip", payload)  # the limit is checked as messages are written
        return r.pubsub_numsub("drip") == [(b"drip", 0)]

    wait_for(gone, timeout=30, what="the soft limit to disconnect the subscriber")
    sub.close()


def test_a_reading_subscriber_is_never_disconnected(engine):
    r = engine.client()
    r.config_set("client-output-buffer-limit", "pubsub 1mb 0 0")
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe("steady")
    assert p.get_message(timeout=10) is None
    payload = b"z" * 1024
    for i in range(4000):  # 4 MiB in total, read as it comes
        assert r.publish("steady", payload) == 1
        assert p.get_message(timeout=10)["data"] == payload
    p.close()
