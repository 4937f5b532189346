"""API fuzzing: schemathesis against docs/api/openapi.yaml on a running box, as a guest, a mod and the admin.

One box (Tests/Browser/harness.py: the real `ravebox run` on a free loopback port, a fresh data folder, the demo
library, an admin and a mod password, one WLED output on a local UDP socket) for the module. Each role gets its
session the way its person does: the guest by requesting a song, the mod and the admin through
`POST /api/session/login`; all three before any fuzzing, whose wrong passwords use up the login limits. Then
`schemathesis run` once per role with schemathesis.toml's checks, the role's cookie and the box's own Origin
(without it the box would still accept the writes, but a browser always sends one). The logout operation is left
out of the runs, since the first logout would make the rest a guest's; it is checked once at the end of each
role's run, while the session still has the role (the admin's run sets a new mod password, which ends the mod's).

What fails the test: any schemathesis failure (a 5xx, a status code, content type, body or header the document
does not describe, invalid input accepted, a route above the role's privilege answering 2xx); an operation the run
never reached; the admin's run finding an operation that only refused it; a request refused for its Origin; and
the supervisor, engine or web process gone or restarted at the end.

Each run's status codes per operation go to .build-browser/api-fuzz/ (RAVEBOX_API_FUZZ_OUT), and the totals to the
terminal summary. RAVEBOX_API_FUZZ_EXAMPLES overrides schemathesis.toml's examples per operation.
"""

import collections
import json
import os
import re
import subprocess
import sys
import time

import pytest
import requests
import schemathesis
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Browser"))
import harness  # noqa: E402

DOCUMENT = os.path.join(ROOT, "docs", "api", "openapi.yaml")
CONFIG = os.path.join(HERE, "schemathesis.toml")
OUT = os.environ.get("RAVEBOX_API_FUZZ_OUT") or os.path.join(ROOT, ".build-browser", "api-fuzz")
SCHEMATHESIS = os.path.join(os.path.dirname(sys.executable), "schemathesis")
LOGOUT = "/api/session/logout"
# Settings that let the routes be reached: uploads and vote colours open to everyone (off by default, then every
# upload or colour request is a 403), votes limited only well above what a run sends (the login limit stays, and
# the login route meets its 429), mods' screen codes on (else asking for one is a 403), and no connectivity probe
# leaving the machine.
FUZZ_SETTINGS = {"uploads": "everybody", "colorIndication": "everybody", "oneVotePerDevice": False,
                 "votesPerWindow": 100, "voteWindow": 1, "connectivityHost": "", "modScreenCodes": True}
ROLES = ("guest", "mod", "admin")
# The answers every run collects, per role: {"METHOD /path": Counter(status)}.
RESULTS = {}


@pytest.fixture(scope="module")
def box():
    box = harness.Box(settings=FUZZ_SETTINGS)
    try:
        box.sessions = {
            "guest": guest_session(box),
            "mod": box.session("mod", harness.MOD_PASSWORD),
            "admin": box.session("admin", harness.ADMIN_PASSWORD),
        }
        for role, session in box.sessions.items():
            assert box.get("/api/session", s=session)["privilege"] == role
        box.processes = processes(box)
        yield box
    finally:
        box.stop()


def guest_session(box):
    """A phone's session: none until its first request of a song, whose answer sets the cookie."""
    session = requests.Session()
    session.headers["Origin"] = box.url
    song = next(iter(box.songs.values()))
    box.write(session, "POST", "/api/queue", {"songId": song["id"]})
    assert session.cookies.get("rb_session"), "requesting a song set no rb_session cookie"
    return session


def processes(box):
    """{"supervisor": pid, "engine": pid, "web": pid} of the box now (None for a process not found)."""
    found = {"supervisor": box.process.pid if box.process and box.process.poll() is None else None}
    for name in ("engine", "web"):
        found[name] = box.child(name)
    return found


def operation_key(method, url, paths):
    """"METHOD /path" as the document names it, for a request to `url`."""
    path = re.sub(r"^https?://[^/]+", "", url).split("?", 1)[0]
    for template, pattern in paths:
        if pattern.fullmatch(path):
            return f"{method} {template}"
    return f"{method} {path}"


def document_paths():
    """The document's paths as (template, pattern) for operation_key, and its operations as "METHOD /path"."""
    with open(DOCUMENT) as f:
        document = yaml.safe_load(f)
    paths = []
    for template in document["paths"]:
        # Fixed paths first, so /api/queue/reorder is not taken for /api/queue/{id}.
        pattern = re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]*", re.escape(template)))
        paths.append((template, pattern))
    paths.sort(key=lambda item: "{" in item[0])
    operations = {f"{method.upper()} {template}" for template, item in document["paths"].items()
                  for method in item if method in ("get", "put", "post", "patch", "delete")}
    return paths, operations


def answers(har_path):
    """{"METHOD /path": Counter(status)} from a schemathesis HAR report."""
    paths, _ = document_paths()
    with open(har_path) as f:
        entries = json.load(f)["log"]["entries"]
    results = collections.defaultdict(collections.Counter)
    for entry in entries:
        key = operation_key(entry["request"]["method"], entry["request"]["url"], paths)
        results[key][entry["response"]["status"]] += 1
        text = (entry["response"].get("content") or {}).get("text") or ""
        assert "Requests from other sites" not in text, f"{key} was refused for its Origin: {text}"
    return results


@pytest.mark.parametrize("role", ROLES)
def test_fuzz(box, role):
    """Schemathesis finds nothing as `role`, reaches every operation, and the box is whole afterwards."""
    os.makedirs(OUT, exist_ok=True)
    har = os.path.join(OUT, f"{role}.har")
    cookie = box.sessions[role].cookies.get("rb_session")
    command = [SCHEMATHESIS, "--config-file", CONFIG, "--no-color", "run", DOCUMENT, "--url", box.url,
               "--workers", "1", "-H", f"Origin: {box.url}", "-H", f"Cookie: rb_session={cookie}",
               "--exclude-path", LOGOUT, "--report", "har", "--report-har-path", har]
    if os.environ.get("RAVEBOX_API_FUZZ_EXAMPLES"):
        command += ["--max-examples", os.environ["RAVEBOX_API_FUZZ_EXAMPLES"]]
    env = dict(os.environ, RAVEBOX_FUZZ_ROLE=role, PYTHONPATH=HERE)
    started = time.monotonic()
    run = subprocess.run(command, cwd=OUT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=600)
    seconds = time.monotonic() - started
    with open(os.path.join(OUT, f"{role}.txt"), "w") as f:
        f.write(run.stdout)
    assert os.path.exists(har), f"schemathesis as {role} wrote no report:\n{run.stdout[-12000:]}"
    results = answers(har)
    RESULTS[role] = {"seconds": seconds, "operations": results}
    with open(os.path.join(OUT, f"{role}-status.json"), "w") as f:
        json.dump({key: dict(counts) for key, counts in sorted(results.items())}, f, indent=1, sort_keys=True)
    assert run.returncode == 0, f"schemathesis as {role} failed:\n{run.stdout[-12000:]}"

    _, operations = document_paths()
    missing = sorted(operations - {f"POST {LOGOUT}"} - set(results))
    assert not missing, f"never requested as {role}: {missing}"
    if role == "admin":
        refused = sorted(key for key in operations if key in results and set(results[key]) <= {401, 403})
        assert not refused, f"the admin was only refused by {refused}"
    assert processes(box) == box.processes, "a process of the box died or was restarted"
    check_logout(box, role)


def check_logout(box, role):
    """Logging out (left out of the fuzz runs) answers the document's Session, now a guest's."""
    session = box.sessions[role]
    assert box.get("/api/session", s=session)["privilege"] == role
    response = session.post(box.url + LOGOUT, timeout=10)
    schemathesis.openapi.from_path(DOCUMENT)[LOGOUT]["POST"].validate_response(response)
    assert response.json()["privilege"] == "guest"
    assert box.get("/api/session", s=session)["privilege"] == "guest"


def test_box_whole_at_the_end(box):
    """The supervisor, the engine and the web process are the ones that started; none was restarted."""
    assert None not in box.processes.values()
    assert processes(box) == box.processes
    with open(box.log_path, errors="replace") as f:
        log = f.read()
    assert log.count("started web") == 1 and log.count("started engine") == 1, box.log_tail()


def pytest_terminal_summary_lines():
    """Per role: the documented operations' answers by status, then those to methods the document lacks."""
    _, operations = document_paths()
    lines = []
    for role in ROLES:
        if role not in RESULTS:
            continue
        documented, other = collections.Counter(), collections.Counter()
        for key, counts in RESULTS[role]["operations"].items():
            (documented if key in operations else other).update(counts)
        reached = sum(1 for key in RESULTS[role]["operations"] if key in operations)
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(documented.items()))
        lines.append(f"{role}: {sum(documented.values())} requests to {reached} operations in "
                     f"{RESULTS[role]['seconds']:.0f} s ({statuses}); {sum(other.values())} with other methods "
                     f"({', '.join(f'{status}: {count}' for status, count in sorted(other.items()))})")
    return lines
