"""kine's generation-C statements and call pattern through asyncpg.

    /usr/bin/python3 kine_asyncpg.py URL

URL names the database kine would use (postgresql://USER[:PW]@HOST:PORT/
kine_asyncpg); it must not exist yet.  The scenario, its statements and
its output are kine_steps.py's; this is the asyncpg side of it: asyncpg's
own prepared statement path, where every query with arguments is prepared
once (Parse, Describe, Flush), cached, and bound with the types the server
described, all in binary; kine's DDL and the transaction statements go
through the simple protocol (execute() without arguments), "-- ping"
through the extended one (asyncpg's execute() fails on a reply with no
command tag).  The steps are plain calls: each runs to completion on one
event loop, within 30 s for a command and 60 s for the whole program.
Debian 12: python3-asyncpg (0.27).
"""

import asyncio
import sys
import time

import asyncpg

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import kine_steps  # noqa: E402

LOOP = asyncio.new_event_loop()
DEADLINE = time.monotonic() + 60


def wait(coro):
    """Run coro on LOOP to its end, or raise TimeoutError at DEADLINE."""
    return LOOP.run_until_complete(asyncio.wait_for(coro, max(0.0, DEADLINE - time.monotonic())))


class Conn:
    def __init__(self, conn):
        self.ac = conn

    def fetch(self, text, *args):
        return wait(self.ac.fetch(text, *args))

    def fetchrow(self, text, *args):
        return wait(self.ac.fetchrow(text, *args))

    def fetchval(self, text, *args):
        return wait(self.ac.fetchval(text, *args))

    def execute(self, text, *args):
        return wait(self.ac.execute(text, *args))

    def ping(self, text):
        # asyncpg 0.27's execute() of a query that is only a comment fails in
        # asyncpg itself (EmptyQueryResponse has no status tag), against
        # PostgreSQL too: ping through the extended protocol, as asyncpg would
        return repr(self.fetch(text))

    def describe(self, text):
        """The parameter types asyncpg encodes with, the columns it decodes."""
        st = wait(self.ac.prepare(text))
        return (" ".join(t.name for t in st.get_parameters()),
                " ".join("%s:%s" % (a.name, a.type.name) for a in st.get_attributes()))

    def is_in_transaction(self):
        return self.ac.is_in_transaction()

    def close(self):
        LOOP.run_until_complete(self.ac.close())


class Asyncpg:
    name = "asyncpg"
    Error = asyncpg.PostgresError
    undefined_table = "UndefinedTableError"
    ping_desc = "-- ping (extended: Parse of an empty query)"
    ping_want = "[]"
    described = "parameter types and result columns"

    @staticmethod
    def connect(url):
        return Conn(wait(asyncpg.connect(url, command_timeout=30)))

    @staticmethod
    def server_error(e):
        if not isinstance(e, asyncpg.PostgresError):
            return None
        return (e.sqlstate, getattr(e, "constraint_name", None), getattr(e, "table_name", None))


if __name__ == "__main__":
    rc = kine_steps.run(Asyncpg, sys.argv[1])
    LOOP.close()
    sys.exit(rc)
