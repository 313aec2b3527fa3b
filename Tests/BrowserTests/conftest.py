"""The browser journeys' shared pieces: a headless Chromium per journey, signing in, and the axe check.

The Swift test BrowserJourneyTests (Tests/GapTrackWebTests) starts the servers, loads the demo school
and makes the accounts, then runs these with the addresses and accounts in the environment.
"""
import os
import urllib.request

import pytest
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["GAPTRACK_WEB_URL"].rstrip("/")
SHORT_IDLE_BASE = os.environ.get("GAPTRACK_WEB_SHORT_IDLE_URL", "").rstrip("/")
PROVIDER = os.environ.get("GAPTRACK_WEB_PROVIDER", "demo-academy")
PASSWORD = os.environ["GAPTRACK_WEB_PASSWORD"]
ACCOUNTS = {
    "data-lead": os.environ["GAPTRACK_WEB_LEAD"],
    "staff": os.environ["GAPTRACK_WEB_STAFF"],
    "governor": os.environ["GAPTRACK_WEB_GOVERNOR"],
}
SHOTS = os.environ.get("GAPTRACK_WEB_SHOTS", "")


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("GAPTRACK_CHROMIUM", "/usr/bin/chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1800"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(os.environ.get("GAPTRACK_CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    driver.set_page_load_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()


def check_accessible(driver, name):
    """axe on the page as it stands: no serious or critical violation (docs/security.md, the pages)."""
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, f"{name}: axe found " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in bad)
    if SHOTS:
        shoot(driver, name)


def shoot(driver, name):
    """Saves the page at desktop (1280) and phone (390) widths, when GAPTRACK_WEB_SHOTS names a folder."""
    for width, label in ((1280, "desktop"), (390, "phone")):
        driver.set_window_size(width, 1800)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(height, 800), 6000))
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(os.path.join(SHOTS, f"web-{name}-{label}.png"))
    driver.set_window_size(1280, 1800)


def submit(driver, css):
    """Clicks what `css` names and waits until the browser has left the page (a new one is loaded)."""
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, css))


def click_and_wait(driver, element):
    """Clicks `element` and waits until the browser has left the page it was on."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 60).until(lambda _: has_left_document(old))


def has_left_document(element):
    """Whether `element` is gone from the page: Selenium's staleness_of, and also Chromium's other answer.

    While the next page replaces the old one, chromedriver sometimes answers a question about the old node
    with "unknown error: ... Node with given id does not belong to the document" rather than a stale
    element reference. Both mean the page was left; any other error is a real failure and is raised.
    """
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise


def open_page(driver, path, name=None, base=None):
    driver.get((base or BASE) + path)
    if name:
        check_accessible(driver, name)


def sign_in(driver, role, base=None, shot=None):
    driver.get((base or BASE) + "/sign-in")
    if shot:
        check_accessible(driver, shot)
    driver.find_element(By.ID, "provider").send_keys(PROVIDER)
    driver.find_element(By.ID, "email").send_keys(ACCOUNTS[role])
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    submit(driver, "form[action='/sign-in'] button[type=submit]")
    assert "/sign-in" not in driver.current_url, "sign-in failed: " + driver.find_element(By.TAG_NAME, "main").text


def fetch(driver, path, data=None):
    """The same request outside the browser, with the browser's session cookie: (status, body)."""
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    request = urllib.request.Request(BASE + path, data=data, headers={"Cookie": cookies})
    if data is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
