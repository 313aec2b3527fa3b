import Foundation
import Testing
import GapTrackDomain

private func date(_ text: String) -> CalendarDate { try! CalendarDate(parsing: text) }

@Suite("Attendance codes")
struct AttendanceCodeTests {
    let autumn2024 = date("2024-09-03")
    let summer2024 = date("2024-07-19")

    @Test("categories of the August 2024 code set")
    func categories() throws {
        func category(_ code: String) throws -> AttendanceCategory {
            try AttendanceCode.parse(code, on: autumn2024).category
        }
        for code in ["/", "\\", "L"] { #expect(try category(code) == .present) }
        for code in ["K", "V", "P", "W", "B"] { #expect(try category(code) == .approvedEducationalActivity) }
        for code in ["C", "C1", "C2", "E", "I", "J1", "M", "R", "S", "T"] { #expect(try category(code) == .authorisedAbsence) }
        for code in ["G", "N", "O", "U"] { #expect(try category(code) == .unauthorisedAbsence) }
        for code in ["X", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Q", "Z", "#", "D"] { #expect(try category(code) == .notPossible) }
        #expect(AttendanceCode.currentCodes.count == 34)
    }

    @Test("possible sessions and absences")
    func counting() {
        #expect(AttendanceCode.lateBeforeRegisterClosed.countsAsPossibleSession)
        #expect(!AttendanceCode.lateBeforeRegisterClosed.countsAsAbsence)
        #expect(AttendanceCode.lateAfterRegisterClosed.countsAsAbsence)
        #expect(AttendanceCode.workExperience.countsAsAttendance)
        #expect(!AttendanceCode.workExperience.countsAsAbsence)
        #expect(!AttendanceCode.dualRegisteredAttendingOtherSchool.countsAsPossibleSession)
        #expect(!AttendanceCode.unableToAttendTransportNotAvailable.countsAsAbsence)
        #expect(AttendanceCode.illness.countsAsAbsence && AttendanceCode.illness.countsAsPossibleSession)
    }

    @Test("letters may be lower case and spaced")
    func lenientCase() throws {
        #expect(try AttendanceCode.parse(" c1 ", on: autumn2024) == .leaveOfAbsenceRegulatedPerformanceOrEmploymentAbroad)
        #expect(try AttendanceCode.parse("y7", on: autumn2024) == .unableToAttendOtherUnavoidableCause)
    }

    @Test("unknown codes are an error that lists the valid codes")
    func unknown() {
        #expect(throws: AttendanceCodeError.unknownCode("A")) { try AttendanceCode.parse("A", on: autumn2024) }
        #expect(throws: AttendanceCodeError.unknownCode("Y8")) { try AttendanceCode.parse("Y8", on: autumn2024) }
        #expect(throws: AttendanceCodeError.unknownCode("")) { try AttendanceCode.parse("", on: autumn2024) }
        #expect(AttendanceCodeError.unknownCode("A").description.contains("C1"))
    }

    @Test("withdrawn H, J and Y are accepted with their old meaning before 1 August 2024 only")
    func withdrawnCodes() throws {
        #expect(try AttendanceCode.parse("H", on: summer2024).category == .authorisedAbsence)
        #expect(try AttendanceCode.parse("J", on: summer2024).category == .approvedEducationalActivity)
        #expect(try AttendanceCode.parse("Y", on: summer2024).category == .notPossible)
        #expect(try AttendanceCode.parse("H", on: date("2024-07-31")) == .withdrawnAgreedFamilyHoliday)
        for code in ["H", "J", "Y"] {
            #expect(throws: AttendanceCodeError.self) { try AttendanceCode.parse(code, on: date("2024-08-01")) }
            #expect(throws: AttendanceCodeError.self) { try AttendanceCode.parse(code, on: autumn2024) }
        }
        let message = AttendanceCodeError.withdrawnCode(code: .withdrawnInterview, date: autumn2024).description
        #expect(message.contains("withdrawn from 01/08/2024") && message.contains("J1"))
        // F (agreed extended family holiday) went in September 2013.
        #expect(try AttendanceCode.parse("F", on: date("2013-07-15")).category == .authorisedAbsence)
        #expect(throws: AttendanceCodeError.self) { try AttendanceCode.parse("F", on: date("2013-09-02")) }
    }
}

@Suite("Absence summaries")
struct AbsenceSummaryTests {
    @Test("tallying codes: not-possible sessions are left out of the denominator")
    func tally() {
        let codes: [AttendanceCode] = [.presentMorning, .presentAfternoon, .illness, .reasonNotYetProvided,
                                       .educationalVisitOrTrip, .plannedWholeOrPartialSchoolClosure, .notOnRollYet]
        let summary = AbsenceSummary(codes: codes)
        #expect(summary.possibleSessions == 5)
        #expect(summary.attendedSessions == 3)
        #expect(summary.authorisedAbsences == 1)
        #expect(summary.unauthorisedAbsences == 1)
        #expect(summary.absenceRate == 0.4)
    }

    @Test("persistent absence at exactly 10%, not below")
    func persistentAbsence() throws {
        // 380 possible sessions; 38 missed is exactly 10%.
        let exactly = try AbsenceSummary(possible: 380, attended: 342, authorised: 30, unauthorised: 8)
        #expect(exactly.isPersistentlyAbsent)
        #expect(!exactly.isSeverelyAbsent)
        let justBelow = try AbsenceSummary(possible: 380, attended: 343, authorised: 30, unauthorised: 7)
        #expect(!justBelow.isPersistentlyAbsent)
        // A third: 0.1 is not exact in binary, so the threshold must not depend on floating point.
        let tenOfHundred = try AbsenceSummary(possible: 100, attended: 90, authorised: 10, unauthorised: 0)
        #expect(tenOfHundred.isPersistentlyAbsent)
    }

    @Test("severe absence at 50% or more")
    func severeAbsence() throws {
        let half = try AbsenceSummary(possible: 380, attended: 190, authorised: 100, unauthorised: 90)
        #expect(half.isSeverelyAbsent && half.isPersistentlyAbsent)
        let justBelow = try AbsenceSummary(possible: 380, attended: 191, authorised: 100, unauthorised: 89)
        #expect(!justBelow.isSeverelyAbsent)
    }

    @Test("no possible sessions: no rate, not absent")
    func empty() {
        #expect(AbsenceSummary.zero.absenceRate == nil)
        #expect(!AbsenceSummary.zero.isPersistentlyAbsent)
    }

    @Test("the parts must add up to the possible sessions")
    func inconsistent() {
        #expect(throws: AbsenceSummaryError.partsDoNotAddUp(possible: 10, attended: 5, authorised: 1, unauthorised: 1)) {
            try AbsenceSummary(possible: 10, attended: 5, authorised: 1, unauthorised: 1)
        }
        #expect(throws: AbsenceSummaryError.negativeCount) {
            try AbsenceSummary(possible: 0, attended: 1, authorised: -1, unauthorised: 0)
        }
    }

    @Test("decoding checks that the parts add up")
    func codable() throws {
        let summary = try AbsenceSummary(possible: 10, attended: 8, authorised: 1, unauthorised: 1)
        let data = try JSONEncoder().encode(summary)
        #expect(try JSONDecoder().decode(AbsenceSummary.self, from: data) == summary)
        let broken = Data(#"{"possibleSessions":10,"attendedSessions":9,"authorisedAbsences":1,"unauthorisedAbsences":1}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AbsenceSummary.self, from: broken) }
    }

    @Test("terms add up")
    func addition() throws {
        let autumn = try AbsenceSummary(possible: 140, attended: 130, authorised: 6, unauthorised: 4)
        let spring = try AbsenceSummary(possible: 120, attended: 100, authorised: 12, unauthorised: 8)
        let year = autumn + spring
        #expect(year.possibleSessions == 260 && year.absentSessions == 30)
        #expect(year.isPersistentlyAbsent) // 30 x 10 = 300 >= 260
        #expect(!autumn.isPersistentlyAbsent) // 10 x 10 = 100 < 140
    }
}
