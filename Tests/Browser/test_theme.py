"""The theme button switches light and dark, and the choice survives a reload."""

from selenium.webdriver.common.by import By

from harness import wait


def theme(driver):
    return driver.execute_script("return document.documentElement.dataset.theme || null")


def background(driver):
    return driver.execute_script("return getComputedStyle(document.body).backgroundColor")


def test_theme_toggle_persists(box, browser):
    driver = browser()
    driver.get(box.url + "/")
    button = wait(driver).until(lambda d: (lambda b: b if b.is_displayed() else None)(d.find_element(By.ID, "theme")))
    # Headless Chromium prefers light, and nothing is stored yet.
    assert theme(driver) is None
    assert driver.execute_script("return localStorage.getItem('ravebox-theme')") is None
    light = background(driver)

    button.click()
    assert theme(driver) == "dark"
    assert driver.execute_script("return localStorage.getItem('ravebox-theme')") == "dark"
    wait(driver, 2).until(lambda d: background(d) != light)  # the stylesheet follows (after its transition, if any)
    dark = background(driver)

    driver.refresh()
    assert theme(driver) == "dark"
    wait(driver, 2).until(lambda d: background(d) == dark)

    driver.find_element(By.ID, "theme").click()
    assert theme(driver) == "light"
    driver.refresh()
    assert theme(driver) == "light"
    wait(driver, 2).until(lambda d: background(d) == light)
