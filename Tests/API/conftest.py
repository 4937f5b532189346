"""Prints each role's status-code totals after the API fuzzing (test_api_fuzz.py)."""


def pytest_terminal_summary(terminalreporter):
    import test_api_fuzz

    lines = test_api_fuzz.pytest_terminal_summary_lines()
    if lines:
        terminalreporter.section("API fuzzing: status codes per role")
        for line in lines:
            terminalreporter.write_line(line)
