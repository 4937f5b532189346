"""The schemathesis check `privilege_respected`: no route answers a 2xx to a role below its privilege.

Loaded by schemathesis.toml (`hooks`); the role under test is RAVEBOX_FUZZ_ROLE (guest, mod or admin). The
table is docs/api/openapi.yaml's "(admin)", "(mods)" and "(controls)" operations at the box's default
interactivity (`upAndDown`: guests request and vote, the controls are the mods').
"""

import os

import schemathesis

RANKS = {"guest": 0, "mod": 1, "admin": 2}

NEEDED = {
    "DELETE /api/queue": "admin",
    "POST /api/queue/shuffle": "admin",
    "GET /api/settings": "admin",
    "PATCH /api/settings": "admin",
    "PUT /api/session/mod-password": "admin",
    "GET /api/playlog.m3u": "admin",
    "POST /api/queue/reorder": "mod",
    "DELETE /api/queue/{id}": "mod",
    "POST /api/queue/{id}/prioritize": "mod",
    "POST /api/playback/play": "mod",
    "POST /api/playback/pause": "mod",
    "POST /api/playback/skip": "mod",
    "POST /api/playback/restart": "mod",
    "POST /api/playback/alarm": "mod",
    "POST /api/playback/seek": "mod",
    "PUT /api/playback/volume": "mod",
    "PUT /api/playback/modes": "mod",
    "GET /api/playlists": "mod",
    "POST /api/queue/playlist": "mod",
    "GET /api/screen.png": "mod",
    "PUT /api/screen/program": "mod",
    "GET /api/lights": "mod",
    "PATCH /api/lights/{name}": "mod",
    "GET /api/status": "mod",
}


@schemathesis.check
def privilege_respected(ctx, response, case):
    """A guest gets no 2xx from a mod's or the admin's route, a mod none from the admin's."""
    role = os.environ.get("RAVEBOX_FUZZ_ROLE", "guest")
    needed = NEEDED.get(f"{case.operation.method.upper()} {case.operation.path}")
    if needed and RANKS[role] < RANKS[needed] and 200 <= response.status_code < 300:
        raise AssertionError(
            f"{case.operation.method.upper()} {case.operation.path} needs {needed} but answered "
            f"{response.status_code} to a {role}")
