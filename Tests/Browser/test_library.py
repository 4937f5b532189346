"""Music guests bring: a song file uploaded from the phone joins the queue with a progress bar on the way; the
mods' suggestions offer the library's folders as playlists."""

import os
import subprocess
import tempfile

from selenium.webdriver.common.by import By

from harness import MOD_PASSWORD, login_via_form, wait, wait_live


def make_song(folder, name):
    path = os.path.join(folder, name)
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=f=523:d=1",
                    "-metadata", "title=Phone Song", "-metadata", "artist=A Guest", path], check=True)
    return path


def test_a_guest_uploads_a_song_from_the_phone(box, browser):
    box.patch_settings({"uploads": "everybody"})
    folder = tempfile.mkdtemp(prefix="ravebox-upload-")
    try:
        song = make_song(folder, "phone song.mp3")
        driver = browser()
        driver.get(box.url + "/")
        wait_live(driver)
        row = driver.find_element(By.ID, "upload-row")
        assert row.is_displayed()
        driver.find_element(By.ID, "upload-file").send_keys(song)
        toast = driver.find_element(By.ID, "toast")
        wait(driver, timeout=15).until(lambda d: "Phone Song is in the queue." in toast.text)
        wait(driver).until(lambda d: any("Phone Song" in li.text
                                         for li in d.find_elements(By.CSS_SELECTOR, "#queue li")))
        assert any(e["title"] == "Phone Song" and e["artist"] == "A Guest" for e in box.state()["queue"])
        # Not music: refused with the box's sentence, nothing queued.
        fake = os.path.join(folder, "fake.mp3")
        with open(fake, "w") as f:
            f.write("not music")
        driver.find_element(By.ID, "upload-file").send_keys(fake)
        wait(driver, timeout=15).until(lambda d: toast.text == "That file is not music the box can play.")
    finally:
        box.patch_settings({"uploads": "off"})
        subprocess.run(["rm", "-rf", folder], check=False)


def test_uploads_are_hidden_while_off(box, browser):
    driver = browser()
    driver.get(box.url + "/")
    wait_live(driver)
    assert not driver.find_elements(By.ID, "upload-row")


def test_mods_see_folders_as_playlists_in_the_suggestions(box, browser):
    playlists = box.get("/api/playlists", s=box.admin)
    assert playlists, "the demo library's folder is a playlist"
    name = playlists[0]["name"]
    driver = browser()
    login_via_form(driver, box, "mod", MOD_PASSWORD)
    driver.get(box.url + "/")
    wait_live(driver)
    field = driver.find_element(By.ID, "q")
    field.send_keys(name[:4])
    wait(driver).until(lambda d: any(o.text.startswith("Playlist: " + name)
                                     for o in d.find_elements(By.CSS_SELECTOR, "#suggestions li[role=option]")))
