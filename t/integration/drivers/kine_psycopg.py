"""kine's generation-C statements and call pattern through psycopg 3.

    /usr/bin/python3 kine_psycopg.py URL

URL names the database kine would use (postgresql://USER[:PW]@HOST:PORT/
kine_psycopg); it must not exist yet.  The scenario, its statements and
its output are kine_steps.py's; this is the psycopg side of it,
psycopg's own prepared-statement path: conn.execute(query, params,
prepare=True) on an autocommit connection, as kine's database/sql runs
outside its transactions.  psycopg writes parameters as %s and numbers
them itself, $1, $2, ... in order, so each kine text (kine_steps.SQL),
whose parameters appear once each and in order (q() checks that),
reaches the server byte for byte as kine sends it.  psycopg prepares a
statement once per connection (named _pg3_N), declaring the parameter
types of the Python values in its Parse: str and None untyped (the
server infers them), int as the smallest of int2/int4/int8 that holds it
(so int2 for every small revision), bool, bytes as bytea in binary;
results come back in text.  kine's DDL, "-- ping" and the transaction
statements go through the simple protocol (execute() without parameters,
prepare=False).  Debian 12: python3-psycopg (3.1).
"""

import re
import sys

import psycopg

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import kine_steps  # noqa: E402


def q(text):
    """kine's $n text as psycopg wants it: %s for $1, $2, ... in order."""
    n = [0]

    def sub(m):
        n[0] += 1
        if int(m.group(1)) != n[0]:
            raise ValueError("parameters out of order in %r" % text)
        return "%s"

    if "%" in text:
        raise ValueError("a literal %% in %r" % text)
    return re.sub(r"\$(\d+)", sub, text)


OIDS = {16: "bool", 17: "bytea", 19: "name", 20: "int8", 23: "int4", 25: "text"}
DESCS = {}  # statement text -> its columns as cursor.description gave them


class Conn:
    """The calls the scenario makes, the psycopg way: statements with
    parameters or rows prepared (prepare=True), the others simple."""

    def __init__(self, conn):
        self.pc = conn

    def fetch(self, text, *args):
        cur = self.pc.execute(q(text), args, prepare=True)
        self.saw(text, cur)
        return cur.fetchall()

    @staticmethod
    def saw(text, cur):
        DESCS[text.split(" LIMIT ")[0]] = " ".join("%s:%s" % (d.name, OIDS.get(d.type_code, d.type_code))
                                                   for d in cur.description or [])

    def fetchrow(self, text, *args):
        rows = self.fetch(text, *args)
        return rows[0] if rows else None

    def fetchval(self, text, *args):
        row = self.fetchrow(text, *args)
        return row[0] if row else None

    def execute(self, text, *args):
        if args:
            cur = self.pc.execute(q(text), args, prepare=True)
            self.saw(text, cur)
        else:
            cur = self.pc.execute(text, prepare=False)
        return cur.statusmessage

    def ping(self, text):
        return repr(self.execute(text))

    @staticmethod
    def describe(text):
        """The result columns psycopg saw (cursor.description) when the
        scenario ran text, if it did."""
        return (DESCS.get(text, "(not run)"),)

    def is_in_transaction(self):
        return self.pc.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def close(self):
        self.pc.close()


class Psycopg:
    name = "psycopg"
    Error = psycopg.Error
    undefined_table = "UndefinedTable"
    ping_desc = "-- ping (simple: EmptyQueryResponse, no tag)"
    ping_want = "None"
    described = "result columns"

    @staticmethod
    def connect(url):
        return Conn(psycopg.connect(url, autocommit=True, connect_timeout=10))

    @staticmethod
    def server_error(e):
        if not isinstance(e, psycopg.Error) or not e.sqlstate:
            return None
        return (e.sqlstate, e.diag.constraint_name, e.diag.table_name)


if __name__ == "__main__":
    sys.exit(kine_steps.run(Psycopg, sys.argv[1]))
