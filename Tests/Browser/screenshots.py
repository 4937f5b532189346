#!/usr/bin/env python3
"""Saves the party page as a phone shows it, light and dark: docs/screenshots/party-{light,dark}.png (390x844).

Starts a box like the browser tests do (harness.Box: demo library, fresh data folder), with one song
playing (paused, so the picture does not depend on timing) and three in the queue with different vote
counts, then takes one screenshot per colour scheme, forced with the DevTools protocol
(Emulation.setEmulatedMedia, prefers-color-scheme) and no stored theme choice.

    .build-browser/venv/bin/python Tests/Browser/screenshots.py [OUT_DIR]     (make screenshots)

Environment: RAVEBOX_BIN (default .build/debug/ravebox).
"""

import os
import sys

import harness
from harness import wait_live


def main():
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(harness.ROOT, "docs", "screenshots"))
    os.makedirs(out, exist_ok=True)
    box = harness.Box()
    driver = None
    try:
        _, (boom_bap, slow_pad, floor) = box.setup_party(
            "Arpeggio", ["Boom Bap", "Slow Pad", "Four on the Floor"], pause=True)
        # A little life in the numbers: two more votes for one song, one more for another.
        for entry, votes in ((floor, 2), (boom_bap, 1)):
            for _ in range(votes):
                box.write(box.session(), "PUT", f"/api/queue/{entry}/vote", {"vote": 1})
        box.wait_state(lambda s: [e["id"] for e in s["queue"]] == [floor, boom_bap, slow_pad], "the voted order")
        driver = harness.new_driver()
        for scheme in ("light", "dark"):
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
                "features": [{"name": "prefers-color-scheme", "value": scheme},
                             {"name": "prefers-reduced-motion", "value": "reduce"}]})
            driver.get(box.url + "/")
            wait_live(driver)
            assert driver.execute_script("return matchMedia('(prefers-color-scheme: %s)').matches" % scheme)
            assert not driver.execute_script("return document.documentElement.dataset.theme")
            # Fonts and layout settled; nothing animates with reduced motion.
            driver.execute_script("return document.fonts.ready")
            size = driver.execute_script("return [innerWidth, innerHeight]")
            assert size == [harness.PHONE["width"], harness.PHONE["height"]], size
            path = os.path.join(out, f"party-{scheme}.png")
            with open(path, "wb") as f:
                f.write(driver.get_screenshot_as_png())
            print(f"saved {os.path.relpath(path, harness.ROOT)}")
    finally:
        if driver is not None:
            harness.quit_driver(driver)
        box.stop()


if __name__ == "__main__":
    main()
