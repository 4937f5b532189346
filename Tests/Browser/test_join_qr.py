"""The join page's QR code, as a phone camera would read it (zbarimg), opens the address printed under it."""

import shutil
import subprocess

import pytest
from selenium.webdriver.common.by import By

from harness import ADMIN_PASSWORD, login_via_form


def test_join_qr_code_decodes_to_party_url(box, browser, tmp_path):
    if shutil.which("zbarimg") is None:
        pytest.fail("zbarimg is not installed (Debian: zbar-tools; `make test-deps` installs it)")
    driver = browser()
    login_via_form(driver, box, "admin", ADMIN_PASSWORD)
    driver.get(box.url + "/join")
    url = driver.find_element(By.ID, "party-url").text
    assert url.startswith("http") and url.rstrip("/").endswith(f":{box.port}"), url
    figure = driver.find_element(By.XPATH, "//figure[.//*[@id='party-url']]")
    picture = tmp_path / "qr.png"
    figure.find_element(By.CSS_SELECTOR, "svg").screenshot(str(picture))
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(picture)], capture_output=True, text=True, timeout=30)
    assert decoded.returncode == 0, f"zbarimg found no code: {decoded.stderr}"
    assert decoded.stdout.strip() == url
