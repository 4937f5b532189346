"""When the web process is gone for more than a blip, the page says so and comes back by itself: the
banner shows after a second, hides once a new web process answers, and the page is in step again (a
request made meanwhile shows up without a reload). A blip shorter than a second shows no banner, so the
supervisor is held (SIGSTOP) while the web process is down, to make the outage last."""

import os
import signal

from selenium.webdriver.common.by import By

from harness import queue_ids, wait, wait_live


def test_banner_shows_while_the_box_is_away_and_the_page_resynchronises(box, browser):
    box.setup_party("Arpeggio", ["Boom Bap"], pause=True)
    driver = browser()
    driver.get(box.url + "/")
    wait_live(driver)
    banner = driver.find_element(By.ID, "banner")
    assert not banner.is_displayed()
    before = queue_ids(driver)

    old = box.web_child()
    assert old is not None, "no web process found"
    os.kill(box.process.pid, signal.SIGSTOP)
    try:
        os.kill(old, signal.SIGKILL)
        wait(driver, 5).until(lambda d: banner.is_displayed())
        assert banner.text == "Reconnecting…"
    finally:
        os.kill(box.process.pid, signal.SIGCONT)

    # The supervisor starts a new web process; the page reconnects (back-off at most a few seconds).
    wait(driver, 15).until(lambda d: not banner.is_displayed())
    assert box.web_child() not in (None, old)
    added = box.request("Slow Pad")
    wait(driver, 5).until(lambda d: len(queue_ids(d)) == len(before) + 1)
    assert added["entry"]["id"] in queue_ids(driver)
