import Foundation
import Testing
import GapTrackDomain

private func date(_ text: String) -> CalendarDate { try! CalendarDate(parsing: text) }

@Suite("CalendarDate")
struct CalendarDateTests {
    @Test("ISO and UK forms read the same day")
    func parsing() throws {
        let iso = try CalendarDate(parsing: "2024-09-03")
        #expect(iso == CalendarDate(year: 2024, month: 9, day: 3))
        #expect(try CalendarDate(parsing: "03/09/2024") == iso)
        #expect(try CalendarDate(parsing: " 3/9/2024 ") == iso)
        #expect(iso.isoString == "2024-09-03")
        #expect(iso.ukString == "03/09/2024")
    }

    @Test("impossible days and unknown formats are rejected with the formats listed")
    func errors() {
        #expect(throws: CalendarDateError.noSuchDay("2023-02-29")) { try CalendarDate(parsing: "2023-02-29") }
        #expect(throws: CalendarDateError.noSuchDay("31/04/2024")) { try CalendarDate(parsing: "31/04/2024") }
        #expect(throws: CalendarDateError.noSuchDay("09/13/2024")) { try CalendarDate(parsing: "09/13/2024") }
        #expect(throws: CalendarDateError.unrecognisedFormat("2024/09/03")) { try CalendarDate(parsing: "2024/09/03") }
        #expect(throws: CalendarDateError.unrecognisedFormat("3 Sept 2024")) { try CalendarDate(parsing: "3 Sept 2024") }
        #expect(throws: CalendarDateError.unrecognisedFormat("")) { try CalendarDate(parsing: "") }
        #expect(CalendarDateError.unrecognisedFormat("x").description.contains("YYYY-MM-DD"))
        #expect(CalendarDateError.unrecognisedFormat("x").description.contains("DD/MM/YYYY"))
        #expect(CalendarDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 1900, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2000, month: 2, day: 29) != nil)
    }

    @Test("day arithmetic and weekdays")
    func arithmetic() {
        #expect(date("1970-01-01").daysSinceEpoch == 0)
        #expect(date("2000-03-01").daysSinceEpoch == 11_017)
        #expect(date("2024-02-29").daysSinceEpoch == 19_782)
        #expect(date("1900-01-01").daysSinceEpoch == -25_567)
        #expect(CalendarDate(daysSinceEpoch: 19_782) == date("2024-02-29"))
        #expect(date("2024-12-31").adding(days: 1) == date("2025-01-01"))
        #expect(date("2024-02-29").adding(years: 1) == date("2025-02-28"))
        #expect(date("2024-09-03").isoWeekday == 2) // a Tuesday
        #expect(date("2024-09-01").days(to: date("2024-09-03")) == 2)
        #expect(CalendarDate.nth(3, isoWeekday: 4, ofMonth: 1, year: 2025) == date("2025-01-16"))
        #expect(date("2024-01-31") < date("2024-02-01"))
    }

    @Test("Codable as the ISO string")
    func codable() throws {
        let data = try JSONEncoder().encode([date("2024-09-03")])
        #expect(String(decoding: data, as: UTF8.self) == "[\"2024-09-03\"]")
        #expect(try JSONDecoder().decode([CalendarDate].self, from: data) == [date("2024-09-03")])
    }
}

@Suite("Academic years and terms")
struct TermTests {
    @Test("an academic year starts on 1 August")
    func academicYear() throws {
        let year = try AcademicYear(parsing: "2024/25")
        #expect(year.startYear == 2024)
        #expect(year.description == "2024/25")
        #expect(year.startDate == date("2024-08-01"))
        #expect(year.endDate == date("2025-07-31"))
        #expect(AcademicYear(containing: date("2024-07-31")) == AcademicYear(startYear: 2023))
        #expect(AcademicYear(containing: date("2024-08-01")) == year)
        #expect(try AcademicYear(parsing: "2024-25") == year)
        #expect(try AcademicYear(parsing: "2024/2025") == year)
        #expect(try AcademicYear(parsing: "2099/00").description == "2099/00")
        #expect(AcademicYear(startYear: 2008).description == "2008/09")
    }

    @Test("malformed academic years are rejected, naming the format")
    func academicYearErrors() {
        #expect(throws: AcademicYearError.yearsNotConsecutive("2024/26")) { try AcademicYear(parsing: "2024/26") }
        #expect(throws: AcademicYearError.unrecognisedFormat("24/25")) { try AcademicYear(parsing: "24/25") }
        #expect(AcademicYearError.unrecognisedFormat("24/25").description.contains("2024/25"))
    }

    @Test("term boundaries: autumn 1 Aug-31 Dec, spring 1 Jan-31 Mar, summer 1 Apr-31 Jul")
    func boundaries() throws {
        let autumn = try AcademicTerm(parsing: "2024/25-autumn")
        #expect(autumn.startDate == date("2024-08-01"))
        #expect(autumn.endDate == date("2024-12-31"))
        let spring = try AcademicTerm(parsing: "2024/25-spring")
        #expect(spring.startDate == date("2025-01-01"))
        #expect(spring.endDate == date("2025-03-31"))
        let summer = try AcademicTerm(parsing: "2024/25-summer")
        #expect(summer.startDate == date("2025-04-01"))
        #expect(summer.endDate == date("2025-07-31"))

        #expect(AcademicTerm(containing: date("2024-07-31")).description == "2023/24-summer")
        #expect(AcademicTerm(containing: date("2024-08-01")) == autumn)
        #expect(AcademicTerm(containing: date("2024-12-31")) == autumn)
        #expect(AcademicTerm(containing: date("2025-01-01")) == spring)
        #expect(AcademicTerm(containing: date("2025-03-31")) == spring)
        #expect(AcademicTerm(containing: date("2025-04-01")) == summer)
        #expect(AcademicTerm(containing: date("2025-07-31")) == summer)
        #expect(spring.dateRange.contains(date("2025-02-14")))
        #expect(!spring.dateRange.contains(date("2025-04-01")))
    }

    @Test("terms order and step across years")
    func ordering() throws {
        let autumn = try AcademicTerm(parsing: "2024/25-autumn")
        #expect(autumn.previous.description == "2023/24-summer")
        #expect(autumn.next.description == "2024/25-spring")
        #expect(autumn.previousTerms(4).map(\.description) ==
                ["2023/24-summer", "2023/24-spring", "2023/24-autumn", "2022/23-summer"])
        #expect(autumn.advanced(by: 3).description == "2025/26-autumn")
        #expect(try AcademicTerm(parsing: "2023/24-summer") < autumn)
        #expect(try AcademicTerm(parsing: "2024/25-spring") < AcademicTerm(parsing: "2024/25-summer"))
        #expect(AcademicYear(startYear: 2024).terms.map(\.term) == [.autumn, .spring, .summer])
    }

    @Test("term parsing accepts any case and rejects unknown terms, listing the format")
    func termParsing() throws {
        #expect(try AcademicTerm(parsing: "2024-25-Spring").description == "2024/25-spring")
        #expect(throws: AcademicYearError.unrecognisedTermFormat("2024/25-winter")) { try AcademicTerm(parsing: "2024/25-winter") }
        #expect(throws: AcademicYearError.unrecognisedTermFormat("2024/25")) { try AcademicTerm(parsing: "2024/25") }
        #expect(throws: AcademicYearError.unrecognisedTermFormat("2024/26-autumn")) { try AcademicTerm(parsing: "2024/26-autumn") }
        let message = AcademicYearError.unrecognisedTermFormat("x").description
        #expect(message.contains("2024/25-autumn") && message.contains("autumn, spring or summer"))
        let encoded = try JSONEncoder().encode([try AcademicTerm(parsing: "2024/25-autumn")])
        #expect(String(decoding: encoded, as: UTF8.self) == "[\"2024\\/25-autumn\"]")
        #expect(try JSONDecoder().decode([AcademicTerm].self, from: encoded).first?.description == "2024/25-autumn")
    }
}
