"""Fixtures of the real-browser tests: one Ravebox for the whole run, and browsers that close after each test.

See harness.py for how the box and Chromium are started. RAVEBOX_BIN selects the binary (default
.build/debug/ravebox).
"""

import pytest

import harness


@pytest.fixture(scope="session")
def box():
    """The box, with the demo library, the test settings (harness.TEST_SETTINGS) and a mod password."""
    box = harness.Box()
    try:
        yield box
    finally:
        box.stop()


@pytest.fixture
def browser():
    """browser(**options) starts one more headless phone-sized Chromium (harness.new_driver options); each
    is a separate profile, so a separate guest. All of them quit at the end of the test."""
    drivers = []

    def start(**options):
        driver = harness.new_driver(**options)
        drivers.append(driver)
        return driver

    yield start
    for driver in drivers:
        harness.quit_driver(driver)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, attach the end of the box's log to the report."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and "box" in item.fixturenames:
        box = item.funcargs.get("box")
        if box is not None:
            report.sections.append(("ravebox log (last lines)", box.log_tail()))
