"""Without JavaScript the party page still works: it shows what plays and the queue, and a guest can
search and request a song with plain forms."""

from selenium.webdriver.common.by import By

from harness import wait


def queue_titles(driver):
    return [li.find_element(By.CSS_SELECTOR, ".t").text for li in driver.find_elements(By.CSS_SELECTOR, "#queue > li")]


def test_party_page_works_without_javascript(box, browser):
    box.setup_party("Arpeggio", ["Boom Bap"])
    driver = browser(javascript=False)
    driver.get(box.url + "/")
    # Scripts really are off: they would show the dice and the theme button.
    assert not driver.find_element(By.ID, "dice").is_displayed()
    assert not driver.find_element(By.ID, "theme").is_displayed()

    assert driver.find_element(By.ID, "now-title").text == "Arpeggio"
    assert driver.find_element(By.ID, "now-artist").text == "Ravebox Demo"
    assert queue_titles(driver) == ["Boom Bap"]
    assert not driver.find_element(By.ID, "queue-empty").is_displayed()

    search = driver.find_element(By.ID, "q")
    assert search.is_displayed() and driver.find_element(By.ID, "search-button").is_displayed()
    search.send_keys("floor")
    driver.find_element(By.ID, "search-button").click()
    wait(driver).until(lambda d: "q=floor" in d.current_url)
    results = driver.find_elements(By.CSS_SELECTOR, "ul.results > li")
    assert len(results) == 1 and results[0].text.startswith("Four on the Floor")
    results[0].find_element(By.CSS_SELECTOR, "form[action='/request'] button[type=submit]").click()

    # Back on the party page, with the song in the queue.
    wait(driver).until(lambda d: d.current_url.rstrip("/") == box.url)
    state = box.wait_state(lambda s: any(e["title"] == "Four on the Floor" for e in s["queue"]),
                           "Four on the Floor in the queue")
    assert [e["title"] for e in state["queue"]] == ["Boom Bap", "Four on the Floor"]
    assert queue_titles(driver) == ["Boom Bap", "Four on the Floor"]
