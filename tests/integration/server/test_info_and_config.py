"""INFO persistence/keyspace, CONFIG GET appendfsync, DBSIZE, SELECT."""


def test_info_and_config(engine):
    c = engine.client()
    c.set("a", 1)
    info = c.info("persistence")
    assert info["lsn_durable"] >= 1 and info["lsn_assigned"] == info["lsn_durable"]
    assert c.info("keyspace")["db0"]["keys"] == 1
    assert c.config_get("appendfsync") == {"appendfsync": "always"}
    assert c.dbsize() == 1
    assert c.execute_command("SELECT", 3) is True  # redis-py maps +OK to True
    assert c.dbsize() == 0
