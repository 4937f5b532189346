"""No page logs an error to the browser console: the party page and the login page as a guest, then
every page as admin."""

from harness import ADMIN_PASSWORD, login_via_form, wait_live, wait_sockets_open


def severe(entries):
    # A missing /favicon.ico would be ignored here (pages link their icon, so none is requested).
    return [e for e in entries if e["level"] == "SEVERE" and "/favicon.ico" not in e.get("message", "")]


def test_no_console_errors(box, browser):
    box.setup_party("Arpeggio", ["Boom Bap", "Slow Pad"])
    driver = browser(console_log=True)
    seen = {}

    def visit(path, live=False, label=None):
        driver.get(box.url + path)
        if live:
            wait_live(driver)
        wait_sockets_open(driver)
        seen[label or path] = driver.get_log("browser")

    visit("/", live=True, label="/ (guest)")
    visit("/login", label="/login (guest)")
    driver.get_log("browser")
    login_via_form(driver, box, "admin", ADMIN_PASSWORD)
    wait_live(driver)
    wait_sockets_open(driver)
    seen["/ (admin, after logging in)"] = driver.get_log("browser")
    for path in ("/join", "/settings", "/lights"):
        visit(path, label=f"{path} (admin)")

    errors = {page: severe(entries) for page, entries in seen.items() if severe(entries)}
    assert not errors, "console errors:\n" + "\n".join(
        f"  {page}: {e['message']}" for page, entries in errors.items() for e in entries)
    # Every page was really checked: the scripts ran on the JavaScript pages.
    assert set(seen) == {"/ (guest)", "/login (guest)", "/ (admin, after logging in)", "/join (admin)",
                         "/settings (admin)", "/lights (admin)"}
