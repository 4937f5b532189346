"""Accessibility: every page passes axe-core's WCAG 2 A and AA rules (labels, names, colour contrast in the
light and the dark theme), and the party page works at 320 px width with large text."""

import pytest
from selenium.webdriver.common.by import By
from selenium_axe_python import Axe

from harness import ADMIN_PASSWORD, login_via_form, wait, wait_live

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(driver):
    axe = Axe(driver)
    axe.inject()
    found = axe.run(options=WCAG)["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in found
    ]


def set_theme(driver, theme):
    driver.execute_script("localStorage.setItem('ravebox-theme', arguments[0])", theme)
    driver.refresh()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_party_page_passes_wcag_aa_for_guests_and_the_admin(box, browser, theme):
    box.setup_party("Arpeggio", ["Boom Bap", "Slow Pad"], pause=True)
    guest = browser()
    guest.get(box.url + "/")
    set_theme(guest, theme)
    wait_live(guest)
    assert violations(guest) == []

    admin = browser()
    login_via_form(admin, box, "admin", ADMIN_PASSWORD)
    set_theme(admin, theme)
    wait_live(admin)
    assert admin.find_element(By.ID, "controls").is_displayed()
    assert violations(admin) == []


@pytest.mark.parametrize("path", ["/login", "/join", "/settings", "/lights"])
def test_host_pages_pass_wcag_aa(box, browser, path):
    driver = browser()
    login_via_form(driver, box, "admin", ADMIN_PASSWORD)
    for theme in ("light", "dark"):
        driver.get(box.url + path)
        set_theme(driver, theme)
        assert violations(driver) == [], f"{path} ({theme})"


def test_party_page_fits_320_px_with_large_text(box, browser):
    box.setup_party("Arpeggio", ["Boom Bap", "Slow Pad"], pause=True)
    driver = browser(width=320, font_size=24)
    driver.get(box.url + "/")
    wait_live(driver)
    # Nothing sticks out sideways (no horizontal scrolling) and every queued title is on screen.
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 320
    titles = driver.find_elements(By.CSS_SELECTOR, "#queue li .t")
    assert [t.text for t in titles] == ["Boom Bap", "Slow Pad"]
    for title in titles:
        assert title.size["width"] >= 80, "a queued title was squeezed out"
    search = driver.find_element(By.ID, "q")
    assert search.size["width"] >= 150
    wait(driver).until(lambda d: d.find_element(By.ID, "dice").is_displayed())
