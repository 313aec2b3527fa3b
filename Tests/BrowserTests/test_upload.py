"""Uploading an import file in a real browser: the dry run's problems by line and column with nothing
written, then a good file checked, confirmed, and seen in a pupil's timeline (docs/security.md §6,
"Uploads"). Run by BrowserJourneyTests with the journeys of test_journeys.py."""
import os
import tempfile

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import check_accessible, fetch, open_page, sign_in, submit

HEADER = "student,type,start_date,hours,staff"
STAFF = "Uploaded mentor"


def main_text(driver):
    return driver.find_element(By.TAG_NAME, "main").text


def write(folder, name, lines):
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def choose_and_check(driver, path):
    Select(driver.find_element(By.ID, "kind")).select_by_value("support")
    driver.find_element(By.ID, "file").send_keys(path)
    submit(driver, "form[action='/imports/check'] button[type=submit]")


def test_upload_a_file_with_a_bad_row_then_a_good_one_and_confirm(browser):
    sign_in(browser, "data-lead")
    open_page(browser, "/pupils")
    pupils = [a.get_attribute("href").rsplit("/", 1)[-1] for a in browser.find_elements(By.CSS_SELECTOR, "table tbody th a")][:2]
    assert len(pupils) == 2
    folder = tempfile.mkdtemp(prefix="gaptrack-upload-")

    open_page(browser, "/imports/new", "upload")
    assert "Files up to" in main_text(browser)
    # Line 3 (the header is line 1) has a month 13.
    bad = write(folder, "support.csv", [HEADER, f"{pupils[0]},mentoring,2024-11-04,6,{STAFF}", f"{pupils[1]},mentoring,2024-13-04,6,{STAFF}"])
    choose_and_check(browser, bad)
    text = main_text(browser)
    assert "nothing was imported" in text, text[:1000]
    row = browser.find_element(By.CSS_SELECTOR, "table tbody tr")
    assert row.find_element(By.TAG_NAME, "th").text == "3"
    assert row.find_element(By.CSS_SELECTOR, "td[data-label=Column]").text == "start_date"
    assert "2024-13-04" in row.text
    assert not browser.find_elements(By.CSS_SELECTOR, "form[action='/imports/confirm']")
    check_accessible(browser, "upload-problems")
    # Nothing was written: neither pupil's timeline has the mentoring.
    for upn in pupils:
        status, body = fetch(browser, "/pupils/" + upn)
        assert status == 200 and STAFF not in body

    open_page(browser, "/imports/new")
    good = write(folder, "support-fixed.csv", [HEADER] + [f"{upn},mentoring,2024-11-04,6,{STAFF}" for upn in pupils])
    choose_and_check(browser, good)
    text = main_text(browser)
    assert "nothing written yet" in text and "What the import would do" in text, text[:1000]
    assert browser.find_element(By.XPATH, "//dt[.='New']/following-sibling::dd[1]").text == "2"
    check_accessible(browser, "upload-check")
    submit(browser, "form[action='/imports/confirm'] button[type=submit]")
    text = main_text(browser)
    assert "Imported support-fixed.csv" in text and "2 new and 0 changed of 2 rows" in text, text[:1000]
    check_accessible(browser, "upload-confirmed")
    # The confirmation links the pupils it changed; the timeline shows the new support.
    linked = {a.get_attribute("href").rsplit("/", 1)[-1] for a in browser.find_elements(By.CSS_SELECTOR, "main ul a")}
    assert linked == set(pupils), linked
    submit(browser, "main ul a")
    support = browser.find_element(By.ID, "support").find_element(By.XPATH, "following-sibling::table").text
    assert "mentoring" in support and STAFF in support and "2024-11-04" in support, support

    # Confirming the same file again changes nothing, and says so.
    open_page(browser, "/imports/new")
    choose_and_check(browser, good)
    assert "This file was imported before" in main_text(browser)
    submit(browser, "form[action='/imports/confirm'] button[type=submit]")
    assert "changed nothing" in main_text(browser), main_text(browser)[:1000]


def test_staff_cannot_upload(browser):
    sign_in(browser, "staff")
    assert not browser.find_elements(By.CSS_SELECTOR, "nav a[href='/imports/new']")
    status, _ = fetch(browser, "/imports/new")
    assert status == 404
