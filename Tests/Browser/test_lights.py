"""The lights page: a mod changes an output's program and colour; the box's LED frames and the page's live
preview follow."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from harness import MOD_PASSWORD, login_via_form, wait

WHITE = (255, 255, 255)


def test_program_change_reaches_the_leds_and_the_preview(box, browser):
    driver = browser()
    login_via_form(driver, box, "mod", MOD_PASSWORD)
    driver.get(box.url + "/lights")
    form = driver.find_element(By.CSS_SELECTOR, "form[data-output=tv]")
    assert "wled" in driver.find_element(By.ID, "output-tv").text
    assert driver.find_element(By.ID, "error-tv").text == ""
    try:
        Select(driver.find_element(By.ID, "program-tv")).select_by_value("fixed")
        # The engine sends the new program within a few frames (fixed: the default colour, white).
        assert box.led_frame(lambda leds: len(leds) == 8 and all(led == WHITE for led in leds)), \
            "the WLED output never turned white"
        # The preview on the page shows the same strip.
        wait(driver).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#strip-0 i")) == 8)
        wait(driver).until(lambda d: d.find_element(By.CSS_SELECTOR, "#strip-0 i").value_of_css_property(
            "background-color") == "rgba(255, 255, 255, 1)")

        # Half brightness: the slider saves on change; WLED gets gamma-corrected half light (0.5 of linear).
        slider = driver.find_element(By.ID, "brightness-tv")
        driver.execute_script(
            "arguments[0].value = 50; arguments[0].dispatchEvent(new Event('change', {bubbles: true}))", slider)
        assert box.led_frame(lambda leds: leds and all(led == (128, 128, 128) for led in leds)), \
            "half brightness never arrived"
        settings = box.get("/api/lights", s=box.admin)["outputs"][0]["settings"]
        assert settings["program"] == "fixed" and settings["brightness"] == 0.5
        assert form.is_displayed()
    finally:
        box.write(box.admin, "PATCH", "/api/lights/tv", {"program": "disabled", "brightness": 1})
