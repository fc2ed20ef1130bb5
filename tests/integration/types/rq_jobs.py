"""The job module test_rq.py enqueues: the worker imports it from this folder."""


def add(a, b):
    return a + b
