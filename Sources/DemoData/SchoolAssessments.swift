import GapStatistics
import GapTrackDomain

/// One row of assessments.csv.
struct AssessmentRow: Sendable {
    let subject: String
    let assessment: String
    let scale: String
    let academicYear: AcademicYear
    let term: Term
    let date: CalendarDate
    let result: String

    var fields: [String] {
        [subject, assessment, scale, academicYear.description, term.rawValue, date.isoString, result]
    }
}

/// The school's assessment calendar and the results of one pupil.
///
/// Years 7-9 sit termly standardised tests in English, maths and science; Years 10-11 get
/// GCSE working-at grades each term (mocks in Year 11, and the GCSE itself in the summer);
/// everyone has KS2 reading and maths from Year 6. Results for 2023/24 are there for the same
/// pupils one year group lower, and for last year's Year 11, so trends have earlier points.
/// An assessment point belongs to the whole school (subject, name, year, term), so each year
/// group's tests are named for it ("Year 8 spring assessment"). Dates are nominal (test weeks in mid-November, mid-March and mid-June; GCSE English, maths
/// and science in the first half of June; KS2 in the second full week of May).
///
/// KS2 tests were not sat in 2020 and 2021 (cancelled in the pandemic), so real Year 10 and
/// 11 pupils of 2024/25 have no KS2 results; the demo gives them KS2 results anyway, so that
/// every cohort has a prior-attainment measure to band on.
enum SchoolAssessments {
    static let subjects = ["english", "maths", "science"]
    static let keyStage2Subjects = ["reading", "maths"]

    /// Scale names as docs/import-formats.md writes them.
    static func scaleName(_ scale: AssessmentScale) -> String {
        switch scale {
        case .ks2ScaledScore: return "ks2_scaled"
        case .standardisedScore: return "standardised"
        default: return scale.rawValue
        }
    }

    static func rows(for pupil: SchoolPupil, seed: UInt64) -> [AssessmentRow] {
        var g = RandomStream.schoolAttainment.generator(seed: seed, cohort: pupil.cohort.receptionYear, index: pupil.index)
        let model = SchoolAttainmentModel.self
        var strength: [String: Double] = [:]
        for subject in subjects { strength[subject] = g.normal(standardDeviation: model.subjectSpread) }
        strength["reading"] = strength["english"]
        let missingChance = min(0.4, 0.02 + 0.6 * max(0, pupil.absencePropensity - 0.05))
        var rows: [AssessmentRow] = []

        func result(subject: String, yearGroup: Int, noise: Double) -> Double {
            pupil.latentAttainment
                + pupil.disadvantageWeight * (model.disadvantageShiftKS4 - model.disadvantageShift(yearGroup: yearGroup))
                + strength[subject]! + model.ageEffectPerMonth(yearGroup: yearGroup) * pupil.monthsOlderThanAverage
                + model.ealEffect(band: pupil.ealBand, subject: subject) + noise
        }

        // KS2, in Year 6.
        let ks2Year = pupil.cohort.keyStage2Year
        let ks2Week = CalendarDate.nth(2, isoWeekday: 1, ofMonth: 5, year: ks2Year.startYear + 1)!
        for (offset, subject) in keyStage2Subjects.enumerated() {
            let noise = g.normal(standardDeviation: model.testNoise)
            let missing = g.chance(0.01)
            guard !pupil.arrivedFromAbroad, !missing else { continue }
            let score = model.ks2Scaled(result(subject: subject, yearGroup: 6, noise: noise))
            rows.append(AssessmentRow(subject: subject, assessment: "KS2", scale: scaleName(.ks2ScaledScore),
                                      academicYear: ks2Year, term: .summer, date: ks2Week.adding(days: offset + 1),
                                      result: String(score)))
        }

        // Termly results in each year at the school.
        for enrolment in pupil.enrolments {
            let year = enrolment.academicYear
            let yearGroup = enrolment.yearGroup
            let autumnTest = point(.autumn, yearGroup: yearGroup, year: year, subjectOffset: 0).date
            let gcseDate = point(.summer, yearGroup: 11, year: AcademicYear(startYear: year.startYear + 11 - yearGroup),
                                 subjectOffset: 0).date
            for term in Term.allCases {
                for (offset, subject) in subjects.enumerated() {
                    let noise = g.normal(standardDeviation: model.testNoise)
                    let missing = g.chance(missingChance)
                    let when = point(term, yearGroup: yearGroup, year: year, subjectOffset: offset)
                    guard !missing, enrolment.start <= when.date, enrolment.leave.map({ when.date <= $0 }) ?? true else { continue }
                    var value = result(subject: subject, yearGroup: yearGroup, noise: noise)
                    if year.startYear == 2024, pupil.wasTutored, subject != "science" {  // tutoring is in English and maths
                        value += term == .summer ? model.tutoringEffect : (term == .spring ? model.tutoringEffect / 2 : 0)
                    }
                    let text: String
                    if yearGroup >= 10 {
                        let months = Double(when.date.days(to: gcseDate)) / 30.44
                        let grade = model.gcseGrade(value - model.progressPerMonth * months)
                        text = grade == 0 ? "U" : String(grade)
                    } else {
                        let months = Double(autumnTest.days(to: when.date)) / 30.44
                        text = String(model.standardised(value + model.progressPerMonth * months))
                    }
                    rows.append(AssessmentRow(subject: subject, assessment: when.name,
                                              scale: scaleName(yearGroup >= 10 ? .gcse : .standardisedScore),
                                              academicYear: year, term: term, date: when.date, result: text))
                }
            }
        }
        return rows
    }

    /// The name and date of a termly assessment.
    static func point(_ term: Term, yearGroup: Int, year: AcademicYear, subjectOffset: Int) -> (name: String, date: CalendarDate) {
        let autumnYear = year.startYear
        let springYear = year.startYear + 1
        let monday = 1, wednesday = 3, friday = 5
        switch (term, yearGroup) {
        case (.autumn, 11):
            return ("Year 11 autumn mock", CalendarDate.nth(4, isoWeekday: monday, ofMonth: 11, year: autumnYear)!.adding(days: subjectOffset))
        case (.spring, 11):
            return ("Year 11 spring mock", CalendarDate.nth(4, isoWeekday: monday, ofMonth: 2, year: springYear)!.adding(days: subjectOffset))
        case (.summer, 11):
            let day: CalendarDate
            switch subjectOffset {
            case 0: day = CalendarDate.nth(1, isoWeekday: friday, ofMonth: 6, year: springYear)!
            case 1: day = CalendarDate.nth(2, isoWeekday: wednesday, ofMonth: 6, year: springYear)!
            default: day = CalendarDate.nth(2, isoWeekday: friday, ofMonth: 6, year: springYear)!
            }
            return ("GCSE", day)
        case (.autumn, _):
            return ("Year \(yearGroup) autumn assessment", CalendarDate.nth(3, isoWeekday: monday, ofMonth: 11, year: autumnYear)!.adding(days: subjectOffset))
        case (.spring, _):
            return ("Year \(yearGroup) spring assessment", CalendarDate.nth(2, isoWeekday: monday, ofMonth: 3, year: springYear)!.adding(days: subjectOffset))
        case (.summer, _):
            return (yearGroup == 10 ? "Year 10 summer mock" : "Year \(yearGroup) summer assessment",
                    CalendarDate.nth(3, isoWeekday: monday, ofMonth: 6, year: springYear)!.adding(days: subjectOffset))
        }
    }
}
