"""Starts a Ravebox and headless Chromium for the browser tests, `make screenshots` and bench/page-weight.py (and
the box alone for the API fuzzing, Tests/API).

Box: `ravebox run` (RAVEBOX_BIN, default .build/debug/ravebox) on a free loopback port with a fresh data
folder and the demo library (made once, cached in .build-browser/demo), silent real-time playback
(`--audio-device null`). Its own process group: stop() sends SIGINT, waits, and kills what is left of
the group, so no engine or web process outlives a run; then it deletes the data folder (set
RAVEBOX_KEEP_DATA=1 to keep it, with ravebox.log).

Browser: `new_driver()` starts Chromium through the Debian chromedriver (never Selenium Manager, which
would go to the network), headless, as a 390x844 phone. Every request that is not to this machine
goes to a closed proxy port and no host name but localhost resolves, so neither the pages under test
nor Chromium's own background services send anything off the machine.
"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import requests
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = os.path.join(ROOT, ".build-browser")
DEMO_DIR = os.path.join(WORK, "demo")
ADMIN_PASSWORD = "admin-password"
MOD_PASSWORD = "mod-password"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
PHONE = {"width": 390, "height": 844}
PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/156.0.0.0 Mobile Safari/537.36")
# The settings every browser test runs with: all browsers are 127.0.0.1, so one vote per device would
# make them one voter; two votes a minute lets a test reach the limit quickly.
TEST_SETTINGS = {"oneVotePerDevice": False, "votesPerWindow": 2, "voteWindow": 60}


def log(message):
    print(f"[browser-tests] {message}", file=sys.stderr, flush=True)


def ravebox_binary():
    binary = os.environ.get("RAVEBOX_BIN") or os.path.join(ROOT, ".build", "debug", "ravebox")
    return os.path.abspath(binary)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_demo_library(directory=DEMO_DIR):
    """The five demo tracks (scripts/make-demo-library.sh skips the work while its stamp matches)."""
    os.makedirs(os.path.dirname(directory), exist_ok=True)
    subprocess.run([os.path.join(ROOT, "scripts", "make-demo-library.sh"), directory], check=True,
                   stdout=subprocess.DEVNULL)
    return directory


class Box:
    """One `ravebox run` with a fresh data folder; API helpers for the tests."""

    def __init__(self, binary=None, library=None, settings=None, start_timeout=60):
        """settings: the PATCH /api/settings to apply (default TEST_SETTINGS; {} for the box's defaults)."""
        self.binary = binary or ravebox_binary()
        if not os.access(self.binary, os.X_OK):
            raise RuntimeError(f"{self.binary} not found: run `swift build --product ravebox` (or set RAVEBOX_BIN)")
        self.library = library or ensure_demo_library()
        self.work = tempfile.mkdtemp(prefix="ravebox-browser-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(self.work, "ravebox.log")
        self.process = None
        # One WLED output ("tv", 8 LEDs) aimed at this UDP socket, so tests see the frames the box sends.
        self.leds = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.leds.bind(("127.0.0.1", 0))
        self.leds.settimeout(1)
        self._log = None
        try:
            self.start(start_timeout)
            self.admin = self.session("admin", ADMIN_PASSWORD)
            settings = TEST_SETTINGS if settings is None else settings
            if settings:
                self.patch_settings(settings)
            self.write(self.admin, "PUT", "/api/session/mod-password", {"password": MOD_PASSWORD})
            self.songs = {song["title"]: song for song in self.get("/api/search", params={"q": ""})}
        except BaseException:
            self.stop()
            raise

    # ---- Process ----
    def start(self, timeout):
        config = os.path.join(self.work, "ravebox.yaml")
        with open(config, "w") as f:
            f.write("leds:\n  - {name: tv, type: wled, host: 127.0.0.1, port: %d, count: 8, fps: 30}\n"
                    % self.leds.getsockname()[1])
        args = [self.binary, "run", "--config", config, "--data", os.path.join(self.work, "data"), "--host", "127.0.0.1",
                "--port", str(self.port), "--library", self.library, "--audio-device", "null",
                "--admin-password", ADMIN_PASSWORD]
        # Run in the temporary folder with our own ravebox.yaml, so no configuration of the developer's is
        # read: the defaults apply, plus the LED output above.
        env = {k: v for k, v in os.environ.items() if k != "RAVEBOX_CONFIG"}
        self._log = open(self.log_path, "w")
        # Own process group: stop() can then find and end the engine and web children too.
        self.process = subprocess.Popen(args, cwd=self.work, env=env, stdin=subprocess.DEVNULL,
                                        stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        atexit.register(self.stop)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"ravebox exited with {self.process.returncode}; log:\n{self.log_tail()}")
            try:
                # Up once the library is scanned (the engine scans at start).
                if len(requests.get(self.url + "/api/search?q=", timeout=2).json()) >= 5:
                    return
            except (requests.RequestException, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"ravebox did not answer within {timeout} s; log:\n{self.log_tail()}")
            time.sleep(0.1)

    def web_child(self):
        """The pid of the box's `ravebox web` process, or None."""
        return self.child("web")

    def child(self, command):
        """The pid of the box's `ravebox COMMAND` process (engine or web), or None."""
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    arguments = handle.read().split(b"\0")
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if self.process and parent == self.process.pid and command.encode() in arguments[1:2]:
                return int(entry)
        return None

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"

    def led_frame(self, predicate, timeout=5):
        """The first WLED frame (a list of (r, g, b) per LED) for which predicate holds, within timeout; or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                packet = self.leds.recv(2048)
            except socket.timeout:
                continue
            leds = [tuple(packet[i:i + 3]) for i in range(2, len(packet) - 2, 3)]
            if predicate(leds):
                return leds
        return None

    def stop(self):
        """SIGINT to the supervisor, up to 10 s; then whatever is left of its process group is killed."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                log(f"ravebox {process.pid} still running 10 s after SIGINT; killing it")
                process.kill()
                process.wait(5)
        deadline = time.monotonic() + 5
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _group_alive(process.pid):
            log(f"processes of ravebox's group {process.pid} outlived it; killing them")
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self._log:
            self._log.close()
            self._log = None
        if os.environ.get("RAVEBOX_KEEP_DATA"):
            log(f"kept the box's data folder and log in {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    # ---- API ----
    def session(self, role=None, password=None):
        """A new requests.Session: a guest of its own (own rb_session cookie), logged in as `role` if given."""
        s = requests.Session()
        s.headers["Origin"] = self.url
        if role:
            self.write(s, "POST", "/api/session/login", {"role": role, "password": password})
        return s

    def write(self, s, method, path, body=None, expect=(200, 201, 202, 204)):
        response = s.request(method, self.url + path, json=body, timeout=10)
        if response.status_code not in expect:
            raise AssertionError(f"{method} {path} {body!r} answered {response.status_code}: {response.text}")
        return response.json() if response.content else None

    def get(self, path, s=None, **kwargs):
        response = (s or requests).get(self.url + path, timeout=10, **kwargs)
        response.raise_for_status()
        return response.json()

    def state(self):
        return self.get("/api/state")

    def patch_settings(self, patch):
        return self.write(self.admin, "PATCH", "/api/settings", patch)

    def wait_state(self, predicate, what, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            state = self.state()
            if predicate(state):
                return state
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}; state: {state}")
            time.sleep(0.05)

    def reset(self):
        """Empty queue, nothing playing (the next request starts playing at once)."""
        self.write(self.admin, "DELETE", "/api/queue")
        for _ in range(10):
            state = self.state()
            if not state.get("currentSong") and not state["queue"]:
                break
            self.write(self.admin, "DELETE", "/api/queue")
            if state.get("currentSong"):
                self.write(self.admin, "POST", "/api/playback/skip")
            time.sleep(0.1)
        self.wait_state(lambda s: not s.get("currentSong") and not s["queue"], "an empty party")

    def request(self, title, guest=None):
        """Requests a song as a (new, unless given) guest; returns the API's answer."""
        return self.write(guest or self.session(), "POST", "/api/queue", {"songId": self.songs[title]["id"]})

    def setup_party(self, playing, queued, pause=False):
        """`playing` plays (paused if `pause`), `queued` wait in this order, each requested by its own guest.
        Returns (state, entry ids of `queued`)."""
        self.reset()
        self.request(playing)
        self.wait_state(lambda s: (s.get("currentSong") or {}).get("title") == playing, f"{playing} playing")
        ids = [self.request(title)["entry"]["id"] for title in queued]
        if pause:
            self.write(self.admin, "POST", "/api/playback/pause")
        state = self.wait_state(
            lambda s: [e["id"] for e in s["queue"]] == ids
            and (s.get("currentSong") or {}).get("title") == playing
            and s["playback"] == ("paused" if pause else "playing"),
            f"{playing} {'paused' if pause else 'playing'} with {queued} queued")
        return state, ids


# ---- Browser ----

# Before any page script: counts the messages of each WebSocket, so a test can wait until the page is
# live (has the state from /api/live) instead of sleeping.
LIVE_PROBE = """
(function () {
  var Native = window.WebSocket;
  if (!Native || Native.__probed) return;
  window.__sockets = [];
  function Probed(url, protocols) {
    var socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    var record = { url: String(url), messages: 0, socket: socket };
    window.__sockets.push(record);
    socket.addEventListener("message", function () { record.messages++; });
    return socket;
  }
  Probed.prototype = Native.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (k) { Probed[k] = Native[k]; });
  Probed.__probed = true;
  window.WebSocket = Probed;
})();
"""


def chrome_options(*, javascript=True, console_log=False, performance_log=False, scale=1, touch=None, width=None,
                   font_size=None):
    """Headless Chromium as a 390x844 phone (mobile layout, phone user agent, touch unless `touch` is False).

    Touch is off by default without JavaScript: with touch emulation and scripts disabled, chromedriver's
    click on a submit button never returns (it taps, then waits for the navigation through a script)."""
    if touch is None:
        touch = javascript
    width = width or PHONE["width"]
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
        "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--metrics-recording-only",
        "--disable-crash-reporter", "--disable-breakpad",
        "--disable-features=OptimizationGuideModelDownloading,OptimizationHints,OnDeviceModelPerformanceParams,"
        "MediaRouter,Translate,AutofillServerCommunication",
        "--mute-audio", "--hide-scrollbars", "--password-store=basic",
        # Nothing leaves the machine: other hosts do not resolve, and non-loopback requests go to a
        # closed local port.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
        "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1;localhost;[::1]",
        f"--window-size={width},{PHONE['height']}",
    ):
        options.add_argument(argument)
    options.add_experimental_option("mobileEmulation", {
        "deviceMetrics": {"width": width, "height": PHONE["height"], "pixelRatio": scale,
                          "touch": touch, "mobile": True},
        "userAgent": PHONE_UA,
    })
    prefs = {"credentials_enable_service": False, "profile.password_manager_enabled": False}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    if font_size:  # the phone's "large text": the default font size every rem is based on
        prefs["webkit.webprefs.default_font_size"] = font_size
    options.add_experimental_option("prefs", prefs)
    logging = {}
    if console_log:
        logging["browser"] = "ALL"
    if performance_log:
        logging["performance"] = "ALL"
    if logging:
        options.set_capability("goog:loggingPrefs", logging)
    return options


def _group_alive(pgid):
    """Whether a live (not zombie) process is in process group `pgid`."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        state, _ppid, group = stat[stat.rindex(")") + 2:].split()[:3]
        if group == str(pgid) and state not in ("Z", "X"):
            return True
    return False


def new_driver(*, javascript=True, console_log=False, performance_log=False, scale=1, touch=None, probe=True,
               width=None, font_size=None):
    """A new Chromium with its own profile (so its own rb_session cookie). Quit it with quit_driver()."""
    options = chrome_options(javascript=javascript, console_log=console_log, performance_log=performance_log,
                             scale=scale, touch=touch, width=width, font_size=font_size)
    last = None
    for _ in range(2):  # a driver that fails to start (rare, under load) gets one more try
        # chromedriver and the browser it starts in a process group of their own, so that quit_driver()
        # can end whatever a crashed or hung browser leaves behind.
        service = Service(executable_path=CHROMEDRIVER, log_output=subprocess.DEVNULL,
                          popen_kw={"start_new_session": True})
        try:
            driver = webdriver.Chrome(options=options, service=service)
            break
        except WebDriverException as error:
            last = error
            _kill_group(service)
    else:
        raise last
    # A command that hangs fails after 45 s instead of urllib3's 4 x 120 s.
    driver.command_executor.client_config.timeout = 45
    driver.set_page_load_timeout(30)
    if javascript and probe:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LIVE_PROBE})
    return driver


def _kill_group(service):
    process = getattr(service, "process", None)
    if process is None:
        return
    deadline = time.monotonic() + 3
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _group_alive(process.pid):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def quit_driver(driver):
    """driver.quit(), then nothing of that browser may remain."""
    try:
        driver.command_executor.client_config.timeout = 15
        driver.quit()
    except Exception as error:  # a crashed browser must not hide a test's own failure
        log(f"could not quit a browser cleanly: {error}")
    _kill_group(driver.service)


def wait(driver, timeout=10, poll=0.05):
    return WebDriverWait(driver, timeout, poll_frequency=poll)


def wait_live(driver, timeout=10):
    """Until the page's /api/live socket has delivered the state (the page rendered it)."""
    wait(driver, timeout).until(lambda d: d.execute_script(
        "return (window.__sockets || []).some(function (s) {"
        " return /\\/api\\/live$/.test(s.url) && s.messages > 0; })"))


def wait_sockets_open(driver, timeout=10):
    """Until every WebSocket the page opened is open (a refused one would log a console error)."""
    wait(driver, timeout).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && (window.__sockets || []).every(function (s) {"
        " return s.socket.readyState === 1; })"))


def click_when_still(driver, element, timeout=5):
    """Clicks once no queue row is sliding (rows glide 0.4 s to a new place; a click meanwhile may land on
    another row)."""
    wait(driver, timeout).until(lambda d: d.execute_script(
        "return document.getAnimations().every(function (a) {"
        " var t = a.effect && a.effect.target; return a.playState !== 'running' || !t || !t.closest('#queue'); })"))
    element.click()


def queue_ids(driver):
    return driver.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('#queue > li'), function (li) {"
        " return Number(li.dataset.id); })")


def login_via_form(driver, box, role, password):
    driver.get(box.url + "/login")
    Select(driver.find_element(By.CSS_SELECTOR, "select[name=role]")).select_by_value(role)
    driver.find_element(By.CSS_SELECTOR, "input[name=password]").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
    wait(driver).until(lambda d: d.current_url.rstrip("/") == box.url)
