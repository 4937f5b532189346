"""The Alarm button: every phone shows the alarm while it sounds (the page flashes, the title says so),
then the song goes on where it was."""

from selenium.webdriver.common.by import By

from harness import MOD_PASSWORD, login_via_form, wait, wait_live


def test_alarm_shows_on_every_phone_and_the_song_resumes(box, browser):
    box.setup_party("Kick and Bass", ["Boom Bap"])
    mod, guest = browser(), browser()
    login_via_form(mod, box, "mod", MOD_PASSWORD)
    guest.get(box.url + "/")
    for driver in (mod, guest):
        wait_live(driver)
    song = box.state()["currentSong"]
    mod.find_element(By.ID, "alarm").click()
    box.wait_state(lambda s: s["playback"] == "alarm", "the alarm sounding", timeout=5)
    for driver in (mod, guest):
        wait(driver, 5).until(lambda d: "alarm" in d.find_element(By.TAG_NAME, "body").get_attribute("class"))
        assert driver.find_element(By.ID, "now-title").text == "ALARM!"
    # The siren lasts 4 s; then the same song plays on from where it stopped.
    after = box.wait_state(lambda s: s["playback"] == "playing", "the song playing again", timeout=10)
    assert after["currentSong"]["playId"] == song["playId"]
    assert abs(after["currentSong"]["position"] - song["position"]) < 2
    wait(guest, 5).until(lambda d: "alarm" not in (d.find_element(By.TAG_NAME, "body").get_attribute("class") or ""))
    assert guest.find_element(By.ID, "now-title").text == song["title"]
