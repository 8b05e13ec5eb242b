#!/usr/bin/python3
"""contrib_check.py - the parsing half of test_contrib.sh: reads the files of
contrib/container/ and contrib/k3s/ the way their consumers do (a Dockerfile
parser, docker's ignore-file matcher, systemd's unit and environment-file
readers, a YAML loader for the Kubernetes manifest) and reports to the shell.

Output: one record a line, fields separated by \\x1f (values may hold tabs
and spaces, never that byte):
    pass DESC               a check passed
    fail DESC DETAIL        a check failed, DETAIL says why
    set NAME VALUE          a value the shell needs (the last one wins)
    add NAME VALUE          one more value of a list the shell needs
    note TEXT               a TAP comment

Subcommands (argv[1]):
    containerfile FILE IGNOREFILE SRCDIR
    ignore IGNOREFILE PATH...          prints "add excluded PATH" per excluded path
    unit FILE                          prints "add KEY VALUE" per assignment
    envfile FILE                       prints "add env NAME=VALUE" per variable
    manifest FILE SETTINGS CONTAINERFILE_UID
"""

import json
import os
import re
import shlex
import sys
import urllib.parse

SEP = "\x1f"


def out(*fields):
    print(SEP.join(str(f).replace(SEP, " ").replace("\n", " ") for f in fields))


def check(desc, ok, detail=""):
    if ok:
        out("pass", desc)
    else:
        out("fail", desc, detail)
    return ok


# ------------------------------------------------------------ Containerfile

KNOWN = {
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM",
    "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL",
    "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
}
JSON_FORMS = {"CMD", "ENTRYPOINT", "SHELL", "VOLUME", "RUN", "COPY", "ADD"}


def instructions(path):
    """(line number, INSTRUCTION, rest) with continuations joined and comment
    lines dropped, as BuildKit's parser does (the escape character is \\)."""
    result = []
    cur, start = None, 0
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            stripped = line.strip()
            if stripped.startswith("#"):
                continue  # comments (and parser directives) vanish, even mid-continuation
            if cur is None:
                if not stripped:
                    continue
                cur, start = "", n
            elif not stripped:
                continue  # an empty line inside a continuation is dropped
            if line.rstrip().endswith("\\"):
                cur += line.rstrip()[:-1] + " "
                continue
            cur += line
            word, _, rest = cur.strip().partition(" ")
            result.append((start, word, rest.strip()))
            cur = None
    if cur is not None:
        result.append((start, "<continuation at end of file>", cur))
    return result


def parse_flags(rest):
    """Leading --flag=value options of COPY/ADD/HEALTHCHECK/FROM."""
    flags = {}
    while rest.startswith("--"):
        tok, _, rest = rest.partition(" ")
        k, _, v = tok[2:].partition("=")
        flags[k] = v
        rest = rest.strip()
    return flags, rest


def duration_seconds(text):
    """pgpin's DURATION: seconds, or a number with ms, s, min or h."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|min|h)?\s*", text)
    if not m:
        return None
    mult = {"ms": 0.001, "s": 1, "min": 60, "h": 3600, None: 1}[m.group(2)]
    return float(m.group(1)) * mult


def containerfile(path, ignorefile, srcdir):
    ins = instructions(path)
    bad = [f"line {n}: {w}" for n, w, _ in ins if w.upper() not in KNOWN]
    check("every Containerfile instruction is a Dockerfile instruction", not bad, "; ".join(bad))
    lower = [f"line {n}: {w}" for n, w, _ in ins if w.upper() in KNOWN and w != w.upper()]
    check("instructions are written in upper case", not lower, "; ".join(lower))
    check("the Containerfile starts with FROM or ARG",
          bool(ins) and ins[0][1].upper() in ("FROM", "ARG"), ins[0][1] if ins else "empty file")

    # JSON (exec) forms must be valid JSON arrays of strings.
    badjson = []
    for n, w, rest in ins:
        w = w.upper()
        body = rest
        if w == "HEALTHCHECK":
            _, body = parse_flags(rest)
            if body.upper().startswith("CMD"):
                body = body[3:].strip()
        elif w in ("COPY", "ADD"):
            _, body = parse_flags(rest)
        if w in JSON_FORMS | {"HEALTHCHECK"} and body.startswith("["):
            try:
                v = json.loads(body)
                if not (isinstance(v, list) and all(isinstance(x, str) for x in v)):
                    badjson.append(f"line {n}")
            except ValueError as e:
                badjson.append(f"line {n}: {e}")
    check("exec-form arguments are JSON arrays of strings", not badjson, "; ".join(badjson))

    # Stages.
    stages = []  # [name, image, [instructions]]
    for n, w, rest in ins:
        if w.upper() == "FROM":
            _, rest = parse_flags(rest)
            parts = rest.split()
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            stages.append([name, parts[0], []])
        elif stages:
            stages[-1][2].append((n, w.upper(), rest))
    check("two stages: a build stage and the runtime stage", len(stages) == 2,
          f"{len(stages)} FROM lines")
    if len(stages) < 2:
        return
    build, runtime = stages[0], stages[-1]
    check("the build stage is debian:12", build[1] == "debian:12", build[1])
    check("the runtime stage is debian:12-slim", runtime[1] == "debian:12-slim", runtime[1])
    out("set", "build_stage", build[0] or "")

    names = [s[0] for s in stages]
    badfrom = []
    for i, (_, _, body) in enumerate(stages):
        for n, w, rest in body:
            if w in ("COPY", "ADD"):
                flags, _ = parse_flags(rest)
                src = flags.get("from")
                if src is not None and src not in names[:i] and not src.isdigit():
                    badfrom.append(f"line {n}: --from={src}")
    check("COPY --from names an earlier stage", not badfrom, "; ".join(badfrom))

    def apt_packages(body):
        pkgs = []
        for _, w, rest in body:
            if w != "RUN":
                continue
            for cmd in re.split(r"&&|;|\|\|", rest):
                toks = cmd.split()
                if "apt-get" in toks and "install" in toks:
                    for t in toks[toks.index("install") + 1:]:
                        if not t.startswith("-"):
                            pkgs.append(t)
        return pkgs

    for p in apt_packages(build[2]):
        out("add", "build_pkg", p)
    for p in apt_packages(runtime[2]):
        out("add", "runtime_pkg", p)
    build_runs = " ".join(rest for _, w, rest in build[2] if w == "RUN")
    for step in ("autoreconf -fi", "./configure", "make install"):
        check(f"the build stage runs {step}", step in build_runs, build_runs[:200])
    m = re.search(r"--prefix=(\S+)", build_runs)
    prefix = m.group(1) if m else "/usr/local"
    m = re.search(r"DESTDIR=(\S+)", build_runs)
    out("set", "destdir", m.group(1) if m else "")
    out("set", "bindir", prefix.rstrip("/") + "/bin")

    # The runtime stage's settings.
    env, user, workdir, stopsignal, entrypoint, expose, health = {}, None, None, None, None, [], None
    copies = []
    for n, w, rest in runtime[2]:
        if w == "ENV":
            toks = shlex.split(rest, posix=True)
            if toks and "=" not in toks[0]:
                env[toks[0]] = rest.split(None, 1)[1] if len(toks) > 1 else ""
            else:
                for t in toks:
                    k, _, v = t.partition("=")
                    env[k] = v
        elif w == "USER":
            user = rest
        elif w == "WORKDIR":
            workdir = rest
        elif w == "STOPSIGNAL":
            stopsignal = rest
        elif w == "ENTRYPOINT":
            entrypoint = rest
        elif w == "EXPOSE":
            expose += rest.split()
        elif w == "HEALTHCHECK":
            health = rest
        elif w in ("COPY", "ADD"):
            flags, body = parse_flags(rest)
            args = json.loads(body) if body.startswith("[") else body.split()
            copies.append((flags.get("from"), args[:-1], args[-1]))
    for k, v in env.items():
        out("add", "env", f"{k}={v}")

    uid = gid = None
    m = re.fullmatch(r"([0-9]+)(?::([0-9]+))?", user or "")
    if check("USER is a numeric uid[:gid] (Kubernetes' runAsNonRoot can check it)", m is not None,
             f"USER {user}"):
        uid, gid = int(m.group(1)), int(m.group(2) or m.group(1))
        check("USER is not root", uid != 0 and gid != 0, user)
        out("set", "uid", uid)
        out("set", "gid", gid)
    check("WORKDIR is absolute", bool(workdir) and workdir.startswith("/"), str(workdir))
    out("set", "workdir", workdir or "")
    runs = " ".join(rest for _, w, rest in runtime[2] if w == "RUN")
    if workdir and uid is not None:
        check("WORKDIR is made for the USER (install -d -o UID)",
              re.search(rf"-o {uid}\b.*{re.escape(workdir)}|chown[^&;]*\b{uid}\b[^&;]*{re.escape(workdir)}",
                        runs) is not None, runs[:300])

    sig = (stopsignal or "").upper()
    sig = sig if sig.startswith("SIG") or sig.isdigit() else "SIG" + sig
    check("STOPSIGNAL is SIGINT or SIGTERM", sig in ("SIGINT", "SIGTERM"), str(stopsignal))
    out("set", "stopsignal", sig[3:] if sig.startswith("SIG") else sig)
    if sig == "SIGINT":
        # SIGINT waits for transactions, by default for ever; the engine's
        # SIGKILL comes 10 s after the stop signal (docker stop's default).
        t = duration_seconds(env.get("PGPIN_SHUTDOWN_TIMEOUT", "0"))
        check("with STOPSIGNAL SIGINT, ENV bounds PGPIN_SHUTDOWN_TIMEOUT below 10 s",
              t is not None and 0 < t < 10, f"PGPIN_SHUTDOWN_TIMEOUT={env.get('PGPIN_SHUTDOWN_TIMEOUT')}")

    ep = None
    try:
        ep = json.loads(entrypoint or "")
    except ValueError:
        pass
    if check("ENTRYPOINT is the exec form", isinstance(ep, list) and len(ep) >= 1, str(entrypoint)):
        out("set", "entrypoint", ep[0])
        check("ENTRYPOINT runs the installed pgpin", ep[0] == prefix.rstrip("/") + "/bin/pgpin",
              f"{ep[0]} (prefix {prefix})")

    listen = env.get("PGPIN_LISTEN", "127.0.0.1:6432")
    first = re.split(r"[,\s]+", listen.strip())[0]
    port = first.rsplit(":", 1)[1] if re.search(r":[0-9]+$", first) else "6432"
    check("EXPOSE names PGPIN_LISTEN's port", port in [e.split("/")[0] for e in expose],
          f"EXPOSE {expose}, PGPIN_LISTEN={listen}")

    if health:
        _, body = parse_flags(health)
        cmd = body[3:].strip() if body.upper().startswith("CMD") else body
        hc = json.loads(cmd) if cmd.startswith("[") else ["/bin/sh", "-c", cmd]
        out("set", "healthcheck", hc[0])

    # Files copied from the context must exist and be in the context.
    ctx = [src for frm, srcs, _ in copies if frm is None for src in srcs if src != "."]
    missing = [s for s in ctx if not os.path.exists(os.path.join(srcdir, s))]
    check("files COPY'd from the build context exist", not missing, " ".join(missing))
    patterns = read_ignore(ignorefile)
    excluded = [s for s in ctx if is_excluded(patterns, s)]
    check("files COPY'd from the build context are not ignored", not excluded, " ".join(excluded))
    for frm, srcs, dest in copies:
        if frm is None:
            for s in srcs:
                out("add", "copy", f"{s}\t{dest}")


# ------------------------------------------------------------ ignore file

def pattern_regex(pat):
    """docker's ignore patterns (moby/patternmatcher): * and ? stay within a
    path element, ** spans elements."""
    rx, i = "", 0
    while i < len(pat):
        c = pat[i]
        if pat.startswith("**/", i):
            rx += "(?:.*/)?"
            i += 3
            continue
        if pat.startswith("**", i):
            rx += ".*"
            i += 2
            continue
        if c == "*":
            rx += "[^/]*"
        elif c == "?":
            rx += "[^/]"
        elif c == "\\" and i + 1 < len(pat):
            i += 1
            rx += re.escape(pat[i])
        else:
            rx += re.escape(c)
        i += 1
    return re.compile(rx + r"\Z")


def read_ignore(path):
    patterns = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            neg = line.startswith("!")
            if neg:
                line = line[1:].strip()
            line = os.path.normpath(line).lstrip("/")
            patterns.append((neg, pattern_regex(line)))
    return patterns


def is_excluded(patterns, path):
    """The last pattern matching the path or one of its parent directories
    decides."""
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    excluded = False
    for neg, rx in patterns:
        if any(rx.match(p) for p in prefixes):
            excluded = not neg
    return excluded


# ------------------------------------------------------------ systemd

def unit(path):
    """Assignments of a unit file, in order, as systemd reads them
    (continuation lines joined, comments dropped)."""
    section = ""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"\\\n", " ", text)
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        k, _, v = line.partition("=")
        out("add", f"{section}.{k.strip()}", v.strip())


def envfile(path):
    """systemd's EnvironmentFile=: VAR=VALUE lines, # and ; comments, values
    optionally in single or double quotes, no expansion."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            k, eq, v = line.partition("=")
            if not eq:
                out("fail", f"{path}: a line without '='", line)
                continue
            v = v.strip()
            if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
                v = v[1:-1]
            out("add", "env", f"{k.strip()}={v}")


# ------------------------------------------------------------ manifest

def endpoint_parts(uri):
    u = urllib.parse.urlsplit(uri)
    return u.scheme, u.username, u.password, u.hostname, u.port, u.path


def manifest(path, settings_file, image_uid):
    try:
        import yaml
    except ImportError:
        out("skip", "python3 has no yaml module (python3-yaml)")
        return
    settings = set(open(settings_file, encoding="utf-8").read().split())
    try:
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
    except yaml.YAMLError as e:
        check("the manifest parses as YAML", False, str(e))
        return
    check("the manifest parses as YAML", True)
    kinds = [d.get("kind") for d in docs]
    check("no Secret in the manifest (made with kubectl beforehand)", "Secret" not in kinds,
          str(kinds))
    workloads = [d for d in docs if d.get("kind") in ("StatefulSet", "Deployment", "Pod")]
    if not check("the manifest has a workload (StatefulSet, Deployment or Pod)", len(workloads) == 1,
                 str(kinds)):
        return
    w = workloads[0]
    pod = w["spec"] if w["kind"] == "Pod" else w["spec"]["template"]["spec"]
    inits = pod.get("initContainers") or []
    mains = pod.get("containers") or []
    byname = {c["name"]: c for c in inits + mains}
    pg = byname.get("pgpin")
    if not check("a container named pgpin", pg is not None, str(list(byname))):
        return
    if pg in inits:
        check("pgpin as an init container is a native sidecar (restartPolicy: Always)",
              pg.get("restartPolicy") == "Always", str(pg.get("restartPolicy")))
    k3s = [c for c in mains if c is not pg and "rancher/k3s" in c.get("image", "")]
    if not check("a k3s container (image rancher/k3s)", len(k3s) == 1,
                 str([c.get("image") for c in mains])):
        return
    k3s = k3s[0]
    check("the k3s container runs `k3s server`",
          (k3s.get("args") or k3s.get("command") or [None])[0] == "server" or
          "server" in (k3s.get("command") or []), str(k3s.get("args")))

    def envmap(c):
        return {e["name"]: e for e in c.get("env") or []}

    pe, ke = envmap(pg), envmap(k3s)
    check("pgpin takes no command-line arguments (settings only from the environment)",
          not pg.get("args") and not pg.get("command"), str(pg.get("args") or pg.get("command")))
    check("pgpin has no envFrom (every variable named)", not pg.get("envFrom"), str(pg.get("envFrom")))
    ep = pe.get("PGPIN_DATASTORE_ENDPOINT", {})
    ref = (ep.get("valueFrom") or {}).get("secretKeyRef")
    check("PGPIN_DATASTORE_ENDPOINT comes from a secretKeyRef",
          ref is not None and "value" not in ep and ref.get("name") and ref.get("key"), str(ep))
    unknown = [n for n in pe if n.startswith("PGPIN_") and n not in settings]
    check("every PGPIN_ variable of the pgpin container is a pgpin setting", not unknown,
          " ".join(unknown))

    # No secret literal anywhere: no URI with a password, no literal value
    # for a variable named like a secret.
    leaks = []
    for c in inits + mains:
        for e in c.get("env") or []:
            v = e.get("value")
            if v is None:
                continue
            if re.search(r"://[^/@\s]*:[^/@\s]*@", str(v)):
                leaks.append(f"{c['name']}.{e['name']} has a password in a URI")
            if re.search(r"PASSWORD|TOKEN|SECRET|_KEY$", e["name"]) and "FILE" not in e["name"]:
                leaks.append(f"{c['name']}.{e['name']} is a literal")
    check("no secret literal in the manifest", not leaks, "; ".join(leaks))

    # The TLS files: from a Secret through a projected volume, 0400, read-only.
    vols = {v["name"]: v for v in pod.get("volumes") or []}
    mounts = pg.get("volumeMounts") or []
    tlsvars = ["PGPIN_DATASTORE_CAFILE", "PGPIN_DATASTORE_CERTFILE", "PGPIN_DATASTORE_KEYFILE"]
    for var in tlsvars:
        v = (pe.get(var) or {}).get("value")
        if not check(f"{var} names a file", bool(v), str(pe.get(var))):
            continue
        m = [mt for mt in mounts if v.startswith(mt["mountPath"].rstrip("/") + "/")]
        if not check(f"{var} is in a volume mounted into pgpin", len(m) == 1, v):
            continue
        mt = m[0]
        vol = vols.get(mt["name"], {})
        proj = vol.get("projected")
        check(f"{var}: the volume is projected from a Secret, read-only",
              proj is not None and mt.get("readOnly") is True and
              all("secret" in s for s in proj.get("sources", [])), str(vol))
        if proj:
            rel = v[len(mt["mountPath"].rstrip("/")) + 1:]
            items = [i for s in proj.get("sources", []) for i in (s.get("secret") or {}).get("items", [])]
            check(f"{var}: the file is an item of the Secret", any(i.get("path") == rel for i in items),
                  rel)
            modes = [i.get("mode", proj.get("defaultMode")) for i in items if i.get("path") == rel]
            check(f"{var}: mode 0400", modes == [0o400], str([oct(x) if x else x for x in modes]))
    out("add", "tlsvars", " ".join(tlsvars))

    # Where the two meet.
    listen = (pe.get("PGPIN_LISTEN") or {}).get("value", "127.0.0.1:6432")
    check("pgpin listens on 127.0.0.1:6432", listen == "127.0.0.1:6432", listen)
    kep = ke.get("K3S_DATASTORE_ENDPOINT", {})
    kv = kep.get("value")
    if check("K3S_DATASTORE_ENDPOINT is set on the k3s container", kv is not None, str(kep)):
        scheme, user, pw, host, port, dbpath = endpoint_parts(kv)
        check("K3S_DATASTORE_ENDPOINT is postgres://...@127.0.0.1:6432/kubernetes",
              scheme in ("postgres", "postgresql") and host == "127.0.0.1" and port == 6432 and
              dbpath == "/kubernetes", kv)
        check("K3S_DATASTORE_ENDPOINT holds no password", pw is None, kv)
        out("set", "k3s_endpoint", kv)
    for c in mains:
        check(f"container {c['name']} has no datastore flag on its command line",
              not any("datastore" in str(a) for a in (c.get("args") or []) + (c.get("command") or [])),
              str(c.get("args")))

    sc = pg.get("securityContext") or {}
    psc = pod.get("securityContext") or {}
    check("pgpin: runAsNonRoot", sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True, str(sc))
    check("pgpin: readOnlyRootFilesystem", sc.get("readOnlyRootFilesystem") is True, str(sc))
    check("pgpin: allowPrivilegeEscalation false", sc.get("allowPrivilegeEscalation") is False, str(sc))
    check("pgpin: every capability dropped", (sc.get("capabilities") or {}).get("drop") == ["ALL"],
          str(sc.get("capabilities")))
    uid = sc.get("runAsUser", psc.get("runAsUser"))
    check("pgpin: runAsUser is the image's USER", str(uid) == str(image_uid),
          f"runAsUser {uid}, Containerfile USER {image_uid}")
    if any((pe.get(v) or {}).get("value") for v in tlsvars):
        check("fsGroup is pgpin's group (the projected files are readable through it)",
              str(psc.get("fsGroup")) == str(image_uid), str(psc))
    check("no service links (they set <SERVICE>_PORT-style variables)",
          pod.get("enableServiceLinks") is False, str(pod.get("enableServiceLinks")))

    for kind in ("readinessProbe", "livenessProbe"):
        p = pg.get(kind)
        if not check(f"pgpin has a {kind}", p is not None):
            continue
        if "exec" in p:
            out("add", "probe", kind + "\t" + "\t".join(p["exec"]["command"]))
        elif "tcpSocket" in p:
            check(f"pgpin's {kind} tcpSocket port is 6432", p["tcpSocket"].get("port") in (6432, "6432"),
                  str(p))
    out("set", "pgpin_image", pg.get("image", ""))
    for e in pg.get("env") or []:
        if "value" in e:
            out("add", "pgpin_env", f"{e['name']}={e['value']}")


def main():
    cmd = sys.argv[1]
    if cmd == "containerfile":
        containerfile(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "ignore":
        pats = read_ignore(sys.argv[2])
        for p in sys.argv[3:]:
            if is_excluded(pats, p):
                out("add", "excluded", p)
    elif cmd == "unit":
        unit(sys.argv[2])
    elif cmd == "envfile":
        envfile(sys.argv[2])
    elif cmd == "manifest":
        manifest(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(f"unknown subcommand {cmd}")


if __name__ == "__main__":
    main()
