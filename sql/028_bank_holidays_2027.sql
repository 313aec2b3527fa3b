-- The bank holidays of England and Wales in 2027 (docs/methodology.md §3.3), so that the default
-- calendar of the academic year 2026/27 keeps school shut on its spring and summer bank holidays.
-- Listed by the statutory rule (Banking and Financial Dealings Act 1971, Schedule 1, and the
-- days appointed each year by royal proclamation: New Year's Day, Good Friday, Easter Monday, the
-- first and last Mondays in May, the last Monday in August, Christmas Day and Boxing Day, each moved
-- to the next weekday when it falls at a weekend). In 2027 Easter Sunday is 28 March, and
-- Christmas Day and Boxing Day fall on a Saturday and a Sunday.
-- A test (BankHolidayRuleTests) recomputes every listed year from the rule.
INSERT INTO bank_holidays (day, name) VALUES
    ('2027-01-01', 'New Year''s Day'),
    ('2027-03-26', 'Good Friday'),
    ('2027-03-29', 'Easter Monday'),
    ('2027-05-03', 'Early May bank holiday'),
    ('2027-05-31', 'Spring bank holiday'),
    ('2027-08-30', 'Summer bank holiday'),
    ('2027-12-27', 'Christmas Day (substitute day)'),
    ('2027-12-28', 'Boxing Day (substitute day)');
