import GapStatistics
import GapTrackDomain

/// The module marks and support records of one university student.
///
/// Marks: six modules a year, two marked each term (autumn coursework due on the second Thursday and Friday of December, spring
/// exams in January, summer exams in May), on the 0-100 scale, mean about 62 and SD 12,
/// lower by about a quarter of an SD for lower socio-economic students (an awarding gap) and a
/// little higher for students with a bursary. Nothing is marked after a student leaves.
///
/// Support: a bursary each year for students below the household income threshold (£1,000, or
/// £2,000 for care leavers and estranged students, from the bursary fund); hardship awards,
/// food vouchers and help with housing from the hardship fund, mostly for lower socio-economic
/// students, some of whom never apply (uptake is itself a figure to report); and a transition
/// programme for care leavers before and after they start.
enum UniversityRecords {
    static let funding = "Student Funding Team"
    static let moneyAdvice = "Student Money Advice"
    static let careLeaverAdviser = "Care leaver support adviser"

    static func assessments(for student: UniversityStudent, seed: UInt64) -> [AssessmentRow] {
        var g = RandomStream.universityMarks.generator(seed: seed, cohort: student.intake.startYear, index: student.index)
        var rows: [AssessmentRow] = []
        for (level, enrolment) in student.enrolments.enumerated() {
            let year = enrolment.academicYear
            let points: [(Term, String, CalendarDate)] = [
                (.autumn, "Semester 1 coursework", CalendarDate.nth(2, isoWeekday: 4, ofMonth: 12, year: year.startYear)!),
                (.spring, "Semester 1 exam", CalendarDate.nth(3, isoWeekday: 1, ofMonth: 1, year: year.startYear + 1)!),
                (.summer, "Semester 2 exam", CalendarDate.nth(3, isoWeekday: 1, ofMonth: 5, year: year.startYear + 1)!),
            ]
            for (pointIndex, point) in points.enumerated() {
                for module in 0..<2 {
                    let noise = g.normal(standardDeviation: 0.5)
                    let day = point.2.adding(days: module)
                    guard enrolment.leave.map({ day < $0 }) ?? true else { continue }
                    let value = student.latentAttainment + (student.hasBursary ? 0.1 : 0) + noise
                    let mark = min(100, max(0, Int((62 + 12 * value).rounded())))
                    let moduleCode = student.course.modulePrefix + String(level + 1) + "0" + String(pointIndex * 2 + module + 1)
                    rows.append(AssessmentRow(subject: moduleCode, assessment: point.1, scale: AssessmentScale.heMark.rawValue,
                                              academicYear: year, term: point.0, date: day, result: String(mark)))
                }
            }
        }
        return rows
    }

    static func support(for student: UniversityStudent, seed: UInt64) -> [SupportRow] {
        var g = RandomStream.universitySupport.generator(seed: seed, cohort: student.intake.startYear, index: student.index)
        let reference = "DU-" + student.institutionID + "-"
        var rows: [SupportRow] = []
        func add(_ type: InterventionType, start: CalendarDate, end: CalendarDate?, sessions: Int? = nil, pounds: Int?,
                 funding: FundingSource?, staff: String, outcome: String) {
            rows.append(SupportRow(reference: reference + String(rows.count + 1), type: type, start: start, end: end, hours: nil,
                                   sessions: sessions, amount: pounds.flatMap { try? PoundsAndPence(pounds: $0) },
                                   funding: funding, staff: staff, intendedOutcome: outcome, status: .ended, review: nil))
        }
        let careExperiencedOrEstranged = student.isCareLeaver || student.isEstranged
        if student.isCareLeaver {
            let start = student.enrolments[0].start
            add(.careExperiencedTransition, start: start.adding(days: -30), end: start.adding(days: 120), sessions: g.integer(in: 4...8),
                pounds: nil, funding: .other, staff: careLeaverAdviser, outcome: "Settle in and stay on course")
        }
        for enrolment in student.enrolments {
            let year = enrolment.academicYear.startYear
            let lastDay = min(enrolment.leave ?? date(year + 1, 6, 13), date(year + 1, 6, 13))
            let firstInstalment = date(year, 11, 15)
            if student.hasBursary, firstInstalment < lastDay {
                add(.bursary, start: firstInstalment, end: date(year + 1, 3, 14), pounds: careExperiencedOrEstranged ? 2_000 : 1_000,
                    funding: .bursaryFund, staff: funding, outcome: "Help with the cost of study")
            }
            let earliest = max(enrolment.start.adding(days: 14), date(year, 10, 1))
            guard earliest < lastDay else { continue }
            for kind in student.awards[year] ?? [] {
                let day = g.day(from: earliest, to: lastDay)
                switch kind {
                case .hardshipAward:
                    add(.hardshipAward, start: day, end: day, pounds: 50 * g.integer(in: 5...30), funding: .hardshipFund,
                        staff: moneyAdvice, outcome: "Meet essential living costs")
                case .foodSupport:
                    add(.foodSupport, start: day, end: day, pounds: 10 * g.integer(in: 3...10), funding: .hardshipFund,
                        staff: moneyAdvice, outcome: "Food vouchers")
                default:
                    add(.housingSupport, start: day, end: day, pounds: 50 * g.integer(in: 8...50), funding: .hardshipFund,
                        staff: moneyAdvice, outcome: "Help with rent and deposit")
                }
            }
        }
        return rows
    }
}
