"""The journeys of the web pages in a real browser (headless Chromium through chromium-driver), each
page checked with axe. Run by BrowserJourneyTests; see conftest.py for the environment it sets."""
import os
import time
import urllib.parse

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import SHORT_IDLE_BASE, check_accessible, click_and_wait, fetch, open_page, sign_in, submit

COHORT = os.environ.get("GAPTRACK_WEB_COHORT", "year-11")
TERM = os.environ.get("GAPTRACK_WEB_TERM", "2024/25-autumn")
SUPPORT_START = os.environ.get("GAPTRACK_WEB_SUPPORT_START", "2024-10-01")
IMPACT_BEFORE = os.environ.get("GAPTRACK_WEB_IMPACT_BEFORE", "maths@2024/25-autumn")
IMPACT_AFTER = os.environ.get("GAPTRACK_WEB_IMPACT_AFTER", "maths@2024/25-summer")
OTHER_PUPIL = os.environ["GAPTRACK_WEB_OTHER_PUPIL"]
MISSING_PUPIL = os.environ["GAPTRACK_WEB_MISSING_PUPIL"]
PUPIL_NAMES = [n for n in os.environ.get("GAPTRACK_WEB_PUPIL_NAMES", "").split("|") if n]


def main_text(driver):
    return driver.find_element(By.TAG_NAME, "main").text


def report_query():
    return "/reports/termly?" + urllib.parse.urlencode({"cohort": COHORT, "term": TERM})


def support_section(driver):
    return driver.find_element(By.CSS_SELECTOR, "section#support").text


def choose_point(driver, select_id, point):
    """Chooses, in a planned-assessment list, the cohort's assessment at POINT (subject@term): its
    own year group's when the subject has several that term."""
    subject, term = point.split("@")
    values = [o.get_attribute("value") for o in Select(driver.find_element(By.ID, select_id)).options]
    matching = [v for v in values if v.lower().startswith(subject.lower()) and v.endswith("@" + term)]
    assert matching, values
    own = [v for v in matching if ":Year " + COHORT.split("-")[-1] + " " in v]
    chosen = (own or matching)[0]
    Select(driver.find_element(By.ID, select_id)).select_by_value(chosen)
    return chosen


def test_sign_in_find_a_pupil_and_sign_out(browser):
    sign_in(browser, "data-lead", shot="sign-in")
    assert browser.current_url.endswith("/pupils")
    check_accessible(browser, "pupils")
    first = browser.find_element(By.CSS_SELECTOR, "table tbody tr")
    surname = first.find_element(By.TAG_NAME, "a").text.split(",")[0]
    year = first.find_element(By.CSS_SELECTOR, "td[data-label=Year]").text
    browser.find_element(By.ID, "q").send_keys(surname)
    Select(browser.find_element(By.ID, "year")).select_by_value(year)
    submit(browser, "form[role=search] button")
    rows = browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert rows and all(surname in row.text for row in rows), main_text(browser)
    click_and_wait(browser, rows[0].find_element(By.TAG_NAME, "a"))
    assert "/pupils/" in browser.current_url
    for heading in ("Markers", "Attendance", "Results", "Support"):
        assert browser.find_element(By.XPATH, f"//h2[normalize-space()='{heading}']")
    check_accessible(browser, "pupil")
    submit(browser, "form[action='/sign-out'] button")
    assert "You have signed out." in main_text(browser)
    open_page(browser, "/pupils")
    assert "/sign-in" in browser.current_url


def test_record_tutoring_for_five_pupils_and_see_it_in_timeline_and_report(browser):
    sign_in(browser, "data-lead")
    open_page(browser, report_query())
    before = support_section(browser)
    open_page(browser, "/support/new?year=" + COHORT.split("-")[-1], "support-new")
    boxes = browser.find_elements(By.CSS_SELECTOR, "input[name=pupil]")
    assert len(boxes) >= 5
    chosen = [box.get_attribute("value") for box in boxes[:5]]
    for box in boxes[:5]:
        box.click()
    Select(browser.find_element(By.ID, "type")).select_by_value("tutoring")
    browser.find_element(By.ID, "start_date").send_keys(SUPPORT_START)
    browser.find_element(By.ID, "hours").send_keys("12")
    browser.find_element(By.ID, "staff").send_keys("Maths tutor")
    # What it targets and the assessments that open and close it: its impact is judged on these.
    Select(browser.find_element(By.ID, "target")).select_by_value(IMPACT_BEFORE.split("@")[0])
    entry = choose_point(browser, "entry_assessment", IMPACT_BEFORE)
    exit_point = choose_point(browser, "exit_assessment", IMPACT_AFTER)
    submit(browser, "form[action='/support'] button[type=submit]")
    assert "5 records of tutoring recorded." in main_text(browser), main_text(browser)
    check_accessible(browser, "support-recorded")
    recorded = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "table tbody th a")]
    assert sorted(recorded) == sorted(chosen)
    # The timeline of each shows it.
    for upn in chosen:
        open_page(browser, "/pupils/" + upn)
        support = browser.find_element(By.ID, "support").find_element(By.XPATH, "following-sibling::table").text
        assert "tutoring" in support and SUPPORT_START in support and "Maths tutor" in support, support
        row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "#support ~ table tbody tr") if "Maths tutor" in r.text)
        target = row.find_element(By.CSS_SELECTOR, "td[data-label=Target]").text
        assert target.startswith(IMPACT_BEFORE.split("@")[0]) and entry in target and exit_point in target, target
    # Change one pupil's hours, then end the support, from the timeline.
    def tutoring_row():
        rows = browser.find_elements(By.CSS_SELECTOR, "#support ~ table tbody tr")
        return next(row for row in rows if "Maths tutor" in row.text)
    open_page(browser, "/pupils/" + chosen[0])
    tutoring_row().find_element(By.CSS_SELECTOR, "details summary").click()
    hours = tutoring_row().find_element(By.CSS_SELECTOR, "input[name=hours]")
    hours.clear()
    hours.send_keys("15")
    click_and_wait(browser, tutoring_row().find_element(By.CSS_SELECTOR, "form[action$='/change'] button"))
    assert "The support was changed." in main_text(browser)
    assert "15" in tutoring_row().find_element(By.CSS_SELECTOR, "td[data-label=Hours]").text
    check_accessible(browser, "pupil-support-changed")
    end = tutoring_row().find_element(By.CSS_SELECTOR, "input[name=end_date]")
    end.clear()
    end.send_keys("2024-12-13")
    click_and_wait(browser, tutoring_row().find_element(By.CSS_SELECTOR, "form[action$='/end'] button"))
    assert "The support was ended." in main_text(browser)
    row = tutoring_row().text
    assert "2024-12-13" in row and "ended" in row, row
    # The termly report's support section has changed, and says tutoring.
    open_page(browser, report_query(), "report-staff")
    after = support_section(browser)
    assert after != before and "tutoring" in after.lower(), after
    # The impact report of tutoring, from the reports page's second form.
    open_page(browser, "/reports")
    browser.find_element(By.ID, "impactType").send_keys("tutoring")
    browser.find_element(By.ID, "impactCohort").send_keys(COHORT)
    browser.find_element(By.ID, "impactBefore").send_keys(IMPACT_BEFORE)
    browser.find_element(By.ID, "impactAfter").send_keys(IMPACT_AFTER)
    submit(browser, "form[action='/reports/impact'] button")
    assert not browser.find_elements(By.CSS_SELECTOR, ".error-summary"), main_text(browser)[:1000]
    assert "tutoring" in main_text(browser).lower()
    check_accessible(browser, "report-impact")
    # Posting the same again is refused as a duplicate and writes nothing.
    open_page(browser, "/support/new?q=" + chosen[0])
    Select(browser.find_element(By.ID, "type")).select_by_value("tutoring")
    browser.find_element(By.ID, "start_date").send_keys(SUPPORT_START)
    submit(browser, "form[action='/support'] button[type=submit]")
    summary = " ".join(e.text for e in browser.find_elements(By.CSS_SELECTOR, ".error-summary"))
    assert "already has this type of support" in summary, main_text(browser)
    check_accessible(browser, "support-error")


def test_a_bad_support_form_names_its_fields_and_writes_nothing(browser):
    sign_in(browser, "staff")
    open_page(browser, "/support/new?year=" + COHORT.split("-")[-1])
    boxes = browser.find_elements(By.CSS_SELECTOR, "input[name=pupil]")
    boxes[0].click()
    boxes[1].click()
    browser.find_element(By.ID, "start_date").send_keys("2024-13-45")
    submit(browser, "form[action='/support'] button[type=submit]")
    links = {a.get_attribute("href").split("#")[-1] for a in browser.find_elements(By.CSS_SELECTOR, ".error-summary a")}
    assert {"type", "start_date"} <= links, links
    # The ticks are kept, so that nothing has to be chosen again.
    assert len([b for b in browser.find_elements(By.CSS_SELECTOR, "input[name=pupil]") if b.is_selected()]) == 2


def test_a_governor_reads_the_governors_report_and_no_pupil(browser):
    sign_in(browser, "governor")
    assert browser.current_url.endswith("/reports")
    check_accessible(browser, "reports")
    browser.find_element(By.ID, "cohort").send_keys(COHORT)
    browser.find_element(By.ID, "term").send_keys(TERM)
    submit(browser, "form[action='/reports/termly'] button")
    text = main_text(browser)
    assert "governor" in text.lower(), text[:500]
    source = browser.page_source
    named = [name for name in PUPIL_NAMES if name in source]
    assert not named, f"the governors' report names pupils: {named[:5]}"
    check_accessible(browser, "report-governors")
    # No pupil pages: the same answer for a pupil who exists as for one who does not.
    real_status, real_body = fetch(browser, "/pupils/" + os.environ["GAPTRACK_WEB_OWN_PUPIL"])
    missing_status, missing_body = fetch(browser, "/pupils/" + MISSING_PUPIL)
    assert real_status == missing_status == 404
    assert real_body.replace(os.environ["GAPTRACK_WEB_OWN_PUPIL"], "X") == missing_body.replace(MISSING_PUPIL, "X")
    assert fetch(browser, "/pupils")[0] == 404
    # A governor's download of the report is the governors' report too.
    status, csv = fetch(browser, report_query() + "&format=csv")
    assert status == 200 and not [name for name in PUPIL_NAMES if name in csv]


def test_another_providers_pupil_is_answered_as_one_that_does_not_exist(browser):
    sign_in(browser, "staff")
    open_page(browser, "/pupils/" + OTHER_PUPIL, "pupil-not-found")
    assert "Pupil not found" in main_text(browser)
    other_status, other_body = fetch(browser, "/pupils/" + OTHER_PUPIL)
    missing_status, missing_body = fetch(browser, "/pupils/" + MISSING_PUPIL)
    assert other_status == missing_status == 404
    assert other_body.replace(OTHER_PUPIL, "X") == missing_body.replace(MISSING_PUPIL, "X")


def test_a_form_without_its_token_is_refused(browser):
    sign_in(browser, "staff")
    open_page(browser, "/support/new?year=" + COHORT.split("-")[-1])
    browser.find_elements(By.CSS_SELECTOR, "input[name=pupil]")[0].click()
    Select(browser.find_element(By.ID, "type")).select_by_value("tutoring")
    browser.find_element(By.ID, "start_date").send_keys("2024-11-05")
    browser.execute_script("document.querySelector(\"form[action='/support'] input[name=form_token]\").remove()")
    submit(browser, "form[action='/support'] button[type=submit]")
    assert "This form was refused" in main_text(browser)
    check_accessible(browser, "form-refused")
    status, body = fetch(browser, "/support", data=b"pupil=x&type=tutoring&start_date=2024-11-05&form_token=wrong")
    assert status == 403 and "This form was refused" in body


def test_a_session_left_unused_expires(browser):
    assert SHORT_IDLE_BASE, "the short-idle server's address is missing"
    sign_in(browser, "staff", base=SHORT_IDLE_BASE)
    open_page(browser, "/pupils", base=SHORT_IDLE_BASE)
    assert browser.current_url.endswith("/pupils")
    time.sleep(float(os.environ.get("GAPTRACK_WEB_SHORT_IDLE_SECONDS", "2")) + 2)
    open_page(browser, "/pupils", base=SHORT_IDLE_BASE)
    assert "/sign-in" in browser.current_url
    assert "left unused" in main_text(browser)
    check_accessible(browser, "session-expired")
