"""Playback controls: hidden from guests (at the default interactivity), shown to a mod, and they work."""

from selenium.webdriver.common.by import By

from harness import MOD_PASSWORD, login_via_form, wait, wait_live


def test_guest_sees_no_controls_and_mod_can_pause(box, browser):
    box.setup_party("Kick and Bass", ["Boom Bap", "Slow Pad"])
    assert box.state()["interactivity"] == "upAndDown"
    driver = browser()
    driver.get(box.url + "/")
    wait_live(driver)
    rows = driver.find_elements(By.CSS_SELECTOR, "#queue > li")
    assert len(rows) == 2
    assert not driver.find_element(By.ID, "controls").is_displayed()
    assert not driver.find_element(By.ID, "play-pause").is_displayed()
    assert not any(ctl.is_displayed() for ctl in driver.find_elements(By.CSS_SELECTOR, "#queue .ctl"))
    # Voting is what a guest does instead.
    assert all(row.find_element(By.CSS_SELECTOR, "button.up").is_displayed() for row in rows)

    login_via_form(driver, box, "mod", MOD_PASSWORD)
    wait_live(driver)
    assert driver.find_element(By.ID, "controls").is_displayed()
    ctls = driver.find_elements(By.CSS_SELECTOR, "#queue .ctl")
    assert len(ctls) == 2 and all(ctl.is_displayed() for ctl in ctls)
    assert driver.find_element(By.CSS_SELECTOR, "#controls [data-action=skip]").is_displayed()
    assert driver.find_element(By.ID, "volume").is_displayed()
    # Admin-only buttons are not there for a mod.
    assert not driver.find_elements(By.ID, "shuffle-all")
    assert not driver.find_elements(By.ID, "remove-all")

    button = driver.find_element(By.ID, "play-pause")
    assert box.state()["playback"] == "playing"
    assert button.get_attribute("aria-label") == "Pause"
    button.click()
    box.wait_state(lambda s: s["playback"] == "paused", "playback paused by the mod's button", timeout=5)
    wait(driver, 5).until(lambda d: button.get_attribute("aria-label") == "Play")
    button.click()
    box.wait_state(lambda s: s["playback"] == "playing", "playback resumed by the mod's button", timeout=5)
    wait(driver, 5).until(lambda d: button.get_attribute("aria-label") == "Pause")
