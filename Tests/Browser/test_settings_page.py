"""The settings page saves a field as soon as it changes, and shows the box's refusal under the field."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from harness import ADMIN_PASSWORD, login_via_form, wait


@pytest.fixture
def restore_kick_threshold(box):
    before = box.get("/api/settings", s=box.admin)["downvotesToKick"]
    yield before
    box.patch_settings({"downvotesToKick": before})


def set_field(driver, field, text):
    field.click()
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(text)
    field.send_keys(Keys.TAB)  # leaving the field fires `change`, which saves


def test_settings_inline_error_then_save(box, browser, restore_kick_threshold):
    # The sentence the API gives for this value; the page must show the same one.
    refused = box.admin.patch(box.url + "/api/settings", json={"downvotesToKick": 0}, timeout=10)
    assert refused.status_code == 400
    sentence = refused.json()["error"]

    driver = browser()
    login_via_form(driver, box, "admin", ADMIN_PASSWORD)
    driver.get(box.url + "/settings")
    field = driver.find_element(By.ID, "value-downvotesToKick")
    error = driver.find_element(By.ID, "error-downvotesToKick")
    assert field.get_attribute("value") == str(restore_kick_threshold)
    assert error.text == ""

    set_field(driver, field, "0")
    wait(driver).until(lambda d: error.text != "")
    assert error.text == sentence
    assert field.get_attribute("aria-invalid") == "true"
    assert box.get("/api/settings", s=box.admin)["downvotesToKick"] == restore_kick_threshold

    set_field(driver, field, "3")
    wait(driver).until(lambda d: error.text == "")
    assert field.get_attribute("aria-invalid") is None
    toast = driver.find_element(By.ID, "toast")
    wait(driver).until(lambda d: toast.is_displayed() and toast.text == "downvotesToKick saved.")
    assert box.get("/api/settings", s=box.admin)["downvotesToKick"] == 3

    driver.refresh()  # the page shows what is saved
    assert driver.find_element(By.ID, "value-downvotesToKick").get_attribute("value") == "3"
