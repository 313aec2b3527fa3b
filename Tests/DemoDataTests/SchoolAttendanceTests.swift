import DemoData
import Foundation
import GapTrackDomain
import Testing

/// The register, read back and counted with `AbsenceSummary` (the DfE definitions).
@Suite("Demo Academy's register")
struct SchoolAttendanceTests {
    struct Register {
        var summaries: [String: AbsenceSummary] = [:]
        var codes: [String: Int] = [:]
        var sessions = Set<String>()
        var duplicateSessions = 0
        var weekendMarks = 0
    }

    static let register: Result<Register, any Error> = Result {
        let files = try DefaultDemo.get()
        var register = Register()
        try files.forEachRecord(.academy, .attendance) { record in
            let day = try record.date("date")
            let code = try AttendanceCode.parse(try record.value("code"), on: day)
            let student = try record.value("student")
            let session = try record.value("session")
            guard session == "AM" || session == "PM" else { throw DemoDataError.invalidOption(name: "session", value: session, expected: "AM or PM") }
            if !register.sessions.insert(student + day.isoString + session).inserted { register.duplicateSessions += 1 }
            if day.isoWeekday > 5 { register.weekendMarks += 1 }
            register.summaries[student, default: .zero].record(code)
            register.codes[code.rawValue, default: 0] += 1
        }
        return register
    }

    @Test("one mark per pupil per session, on school days, with current codes only")
    func wellFormed() throws {
        let register = try Self.register.get()
        #expect(register.duplicateSessions == 0)
        #expect(register.weekendMarks == 0)
        #expect(register.summaries.count == 1_000)
        // Pupils on roll all year (Years 7-10, no mid-year move) have 380 possible sessions.
        let fullYear = register.summaries.values.filter { $0.possibleSessions == 380 }
        #expect(fullYear.count > 700)
        #expect(register.summaries.values.allSatisfy { $0.possibleSessions <= 380 })
        for code in ["/", "\\", "L", "I", "M", "O", "U", "G", "C", "E", "V", "W", "P", "K"] {
            #expect((register.codes[code] ?? 0) > 0, "no '\(code)' marks")
        }
        let present = (register.codes["/"] ?? 0) + (register.codes["\\"] ?? 0)
        #expect(Double(present) / Double(register.sessions.count) > 0.8)
    }

    @Test("absence and persistent absence are national-like, and worse for disadvantaged pupils")
    func absenceByGroup() throws {
        let files = try DefaultDemo.get()
        let register = try Self.register.get()
        let markers = try PupilMarkers.read(from: files, provider: .academy)
        let census = DefaultDemo.springCensus2025
        var groups: [Bool: [AbsenceSummary]] = [:]
        for (upn, summary) in register.summaries where summary.possibleSessions >= 100 {
            groups[markers[upn]?.isDisadvantaged(on: census) ?? false, default: []].append(summary)
        }
        func rate(_ list: [AbsenceSummary]) -> Double {
            Double(list.reduce(0) { $0 + $1.absentSessions }) / Double(list.reduce(0) { $0 + $1.possibleSessions })
        }
        func persistent(_ list: [AbsenceSummary]) -> Double {
            Double(list.filter(\.isPersistentlyAbsent).count) / Double(list.count)
        }
        let disadvantaged = try #require(groups[true])
        let others = try #require(groups[false])
        // Targets: about 7% and 11% absence, 15-20% and 35% persistent absence; the bounds
        // allow for sampling in groups of about 250 and 750 pupils.
        #expect(rate(others) > 0.055 && rate(others) < 0.085, "others' absence \(rate(others))")
        #expect(rate(disadvantaged) > 0.09 && rate(disadvantaged) < 0.135, "disadvantaged absence \(rate(disadvantaged))")
        #expect(persistent(others) > 0.13 && persistent(others) < 0.24, "others' persistent absence \(persistent(others))")
        #expect(persistent(disadvantaged) > 0.27 && persistent(disadvantaged) < 0.45,
                "disadvantaged persistent absence \(persistent(disadvantaged))")
        let all = disadvantaged + others
        let severe = Double(all.filter(\.isSeverelyAbsent).count) / Double(all.count)
        #expect(severe >= 0.005 && severe <= 0.03, "severe absence \(severe)")
    }

    @Test("--attendance-days bounds the register: pupils on roll x 2 x days")
    func boundedRegister() throws {
        let files = try GeneratedFiles(DemoOptions(cohortSize: 3_000, yearGroups: [11], includeLeavers: false,
                                                   attendanceDays: 1, providers: [.school]))
        defer { try? FileManager.default.removeItem(at: files.folder) }
        var marks = 0
        try files.forEachRecord(.academy, .attendance) { record in
            let day = try record.value("date")
            #expect(day == "2024-09-04")
            marks += 1
        }
        let onRoll = try files.records(.academy, .students).filter {
            try $0.value("academic_year") == "2024/25" && $0.value("start_date") == "2024-09-04"
        }.count
        #expect(marks == 2 * onRoll)
        #expect(files.dataSet.providers[0].file(.attendance)?.rowCount == marks)
    }
}
