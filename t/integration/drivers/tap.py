"""Output helpers shared by the Python driver tests.

Each test prints "ok DESC", "not ok DESC" and "# NOTE" lines; the shell
test that runs it (test_drivers.sh, test_sqlite.sh, test_kine.sh, ...)
renumbers them into TAP. status() is the script's exit status: 1 once a
check has failed.
"""

_failed = False


def ok(cond, desc):
    global _failed
    print(("ok " if cond else "not ok ") + desc, flush=True)
    if not cond:
        _failed = True
    return cond


def note(msg):
    for line in str(msg).splitlines():
        print("# " + line, flush=True)


def is_(got, want, desc):
    """ok(got == want), with both values as notes when they differ."""
    if not ok(got == want, desc):
        note("got:  %r" % (got,))
        note("want: %r" % (want,))


def err(e):
    """An exception as "Type SQLSTATE: message" (the SQLSTATE when the driver gives one)."""
    return "%s %s: %s" % (type(e).__name__, getattr(e, "sqlstate", ""), e)


def status():
    return 1 if _failed else 0
