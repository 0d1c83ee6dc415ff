"""Shared by every test: signal handlers are put back after each test.

`convdocs` lets a second Ctrl-C end the process at once (SIGINT back to its default)
after it reports an interrupt. Tests that run the CLI in this process would otherwise
leave pytest itself without its Ctrl-C handling, and a later test that sends SIGINT to
its own process would end the whole run.
"""

import signal

import pytest

HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@pytest.fixture(autouse=True)
def _signal_handlers_restored():
    before = {s: signal.getsignal(s) for s in HANDLED}
    yield
    for s, handler in before.items():
        if signal.getsignal(s) is not handler:
            signal.signal(s, handler)
