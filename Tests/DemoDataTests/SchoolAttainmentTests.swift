import DemoData
import Foundation
import GapTrackDomain
import Testing

/// Results read back from assessments.csv: every one on its scale, and the planted gap,
/// progress, month-of-birth effect and tutoring effect recoverable from them.
@Suite("Demo Academy's assessments")
struct SchoolAttainmentTests {
    /// Scale names as docs/import-formats.md writes them.
    static func score(_ result: String, scale: String) throws -> Double {
        switch scale {
        case "ks2_scaled": return try AssessmentScale.ks2ScaledScore.score(result)
        case "standardised": return try AssessmentScale.standardisedScore.score(result)
        default: return try AssessmentScale.parse(scale).score(result)
        }
    }

    @Test("every result is valid on its scale and each assessment point has one scale")
    func resultsOnTheirScales() throws {
        let files = try DefaultDemo.get()
        var scaleOfPoint: [String: String] = [:]
        var scales = Set<String>()
        for record in try files.records(.academy, .assessments) {
            let scale = try record.value("scale")
            _ = try Self.score(try record.value("result"), scale: scale)
            _ = try AcademicYear(parsing: try record.value("academic_year"))
            let term = try #require(Term(rawValue: try record.value("term")))
            let day = try record.date("date")
            #expect(AcademicTerm(containing: day).term == term, "the date falls in another term")
            let point = [try record.value("subject"), try record.value("assessment"), try record.value("academic_year"), term.rawValue]
                .joined(separator: "|")
            #expect(scaleOfPoint[point, default: scale] == scale, "\(point) has two scales")
            scaleOfPoint[point] = scale
            scales.insert(scale)
        }
        #expect(scales == ["ks2_scaled", "standardised", "gcse"])
    }

    @Test("the planted disadvantage shift in latent attainment is about three quarters of an SD")
    func latentGap() throws {
        let pupils = Array(try DemoGenerator().schoolPupils)
        let disadvantaged = pupils.filter(\.isDisadvantaged).map(\.latentAttainment)
        let others = pupils.filter { !$0.isDisadvantaged }.map(\.latentAttainment)
        let gap = mean(others) - mean(disadvantaged)
        #expect(gap > 0.6 && gap < 0.9, "latent gap \(gap) SD")
        #expect(abs(mean(others + disadvantaged)) < 0.2, "the school is near the national average")
    }

    /// A big single-year-group school, so that the gap and effects are measured precisely.
    static let bigCohort: Result<(GeneratedFiles, [String: PupilMarkers]), any Error> = Result {
        let files = try GeneratedFiles(DemoOptions(seed: 99, cohortSize: 4_000, yearGroups: [7, 11], attendanceDays: 0,
                                                   providers: [.school]), folderName: "gaptrack-demo-tests-big-cohort")
        return (files, try PupilMarkers.read(from: files, provider: .academy))
    }

    /// Mean of English (reading at KS2) and maths per pupil at one assessment point.
    static func englishAndMaths(_ files: GeneratedFiles, assessment: String, year: String) throws -> [String: Double] {
        var sums: [String: (Double, Int)] = [:]
        for record in try files.records(.academy, .assessments)
        where try record.value("assessment") == assessment && record.value("academic_year") == year
            && ["english", "reading", "maths"].contains(try record.value("subject")) {
            let score = try Self.score(try record.value("result"), scale: try record.value("scale"))
            let current = sums[try record.value("student"), default: (0, 0)]
            sums[try record.value("student")] = (current.0 + score, current.1 + 1)
        }
        return sums.filter { $0.value.1 == 2 }.mapValues { $0.0 / 2 }
    }

    @Test("the KS4 and KS2 gap indexes are near the national ones (3.9 and 3.1)")
    func gapIndexes() throws {
        let (files, markers) = try Self.bigCohort.get()
        func index(_ scores: [String: Double], on day: CalendarDate) -> Double {
            let disadvantaged = scores.filter { markers[$0.key]?.isDisadvantaged(on: day) ?? false }.map(\.value)
            let others = scores.filter { !(markers[$0.key]?.isDisadvantaged(on: day) ?? false) }.map(\.value)
            return gapIndexByPairs(disadvantaged: disadvantaged, others: others)
        }
        // Last year's Year 11 (no tutoring yet) and this year's.
        let ks4Before = index(try Self.englishAndMaths(files, assessment: "GCSE", year: "2023/24"),
                              on: CalendarDate(year: 2024, month: 1, day: 18)!)
        let ks4Now = index(try Self.englishAndMaths(files, assessment: "GCSE", year: "2024/25"), on: DefaultDemo.springCensus2025)
        let ks2 = index(try Self.englishAndMaths(files, assessment: "KS2", year: "2023/24"), on: DefaultDemo.springCensus2025)
        #expect(ks4Before > 3.4 && ks4Before < 4.6, "KS4 2023/24 index \(ks4Before)")
        #expect(ks4Now > 3.0 && ks4Now < 4.4, "KS4 2024/25 index \(ks4Now)")
        #expect(ks4Now < ks4Before, "tutoring narrows this year's gap")
        #expect(ks2 > 2.5 && ks2 < 3.7, "KS2 index \(ks2)")
        #expect(ks2 < ks4Before, "the gap widens through secondary school")
    }

    @Test("scores rise through the year, and older pupils in a year group score a little higher")
    func progressAndAgeEffect() throws {
        let (files, _) = try Self.bigCohort.get()
        let autumn = try Self.englishAndMaths(files, assessment: "Year 7 autumn assessment", year: "2024/25")
        let summer = try Self.englishAndMaths(files, assessment: "Year 7 summer assessment", year: "2024/25")
        let changes = autumn.compactMap { upn, score in summer[upn].map { $0 - score } }
        let perMonth = mean(changes) / 7  // mid-November to mid-June
        #expect(perMonth > 0.3 && perMonth < 1.0, "progress \(perMonth) standardised points a month")

        var ageOf: [String: Double] = [:]
        for record in try files.records(.academy, .students) where try record.value("year_group") == "7" {
            let birth = try record.date("date_of_birth")
            ageOf[try record.value("upn")] = Double(birth.days(to: CalendarDate(year: 2024, month: 11, day: 18)!)) / 30.44
        }
        let pairs = autumn.compactMap { upn, score in ageOf[upn].map { ($0, score) } }
        let meanAge = mean(pairs.map(\.0))
        let meanScore = mean(pairs.map(\.1))
        let slope = pairs.reduce(0) { $0 + ($1.0 - meanAge) * ($1.1 - meanScore) }
            / pairs.reduce(0) { $0 + ($1.0 - meanAge) * ($1.0 - meanAge) }
        #expect(slope > 0.2 && slope < 0.9, "age gradient \(slope) points a month")

        // Still there, smaller, at GCSE (grades, English and maths).
        let gcse = try Self.englishAndMaths(files, assessment: "GCSE", year: "2024/25")
        var gcseAge: [String: Double] = [:]
        for record in try files.records(.academy, .students)
        where try record.value("year_group") == "11" && record.value("academic_year") == "2024/25" {
            gcseAge[try record.value("upn")] = Double(try record.date("date_of_birth").days(to: CalendarDate(year: 2025, month: 6, day: 6)!)) / 30.44
        }
        let gcsePairs = gcse.compactMap { upn, grade in gcseAge[upn].map { ($0, grade) } }
        let gcseMeanAge = mean(gcsePairs.map(\.0))
        let gcseMeanGrade = mean(gcsePairs.map(\.1))
        let gcseSlope = gcsePairs.reduce(0) { $0 + ($1.0 - gcseMeanAge) * ($1.1 - gcseMeanGrade) }
            / gcsePairs.reduce(0) { $0 + ($1.0 - gcseMeanAge) * ($1.0 - gcseMeanAge) }
        let gradeSpread = (gcsePairs.reduce(0) { $0 + ($1.1 - gcseMeanGrade) * ($1.1 - gcseMeanGrade) }
            / Double(gcsePairs.count - 1)).squareRoot()
        #expect(gcseSlope > 0, "GCSE age gradient \(gcseSlope) grades a month")
        #expect(gcseSlope / gradeSpread < slope / 15, "the month-of-birth effect shrinks from Year 7 to Year 11")
    }

    @Test("delivered tutoring adds about 0.2 SD to summer English and maths")
    func tutoringEffect() throws {
        let (files, markers) = try Self.bigCohort.get()
        var tutored = Set<String>()
        for record in try files.records(.academy, .support)
        where try record.value("type") == "tutoring" && ["ended", "active"].contains(try record.value("status")) {
            tutored.insert(try record.value("student"))
        }
        let autumn = try Self.englishAndMaths(files, assessment: "Year 7 autumn assessment", year: "2024/25")
        let summer = try Self.englishAndMaths(files, assessment: "Year 7 summer assessment", year: "2024/25")
        var tutoredChange: [Double] = []
        var comparisonChange: [Double] = []
        for (upn, before) in autumn where markers[upn]?.isDisadvantaged(on: DefaultDemo.springCensus2025) ?? false {
            guard let after = summer[upn] else { continue }
            if tutored.contains(upn) { tutoredChange.append(after - before) } else { comparisonChange.append(after - before) }
        }
        #expect(tutoredChange.count > 100)
        let effect = (mean(tutoredChange) - mean(comparisonChange)) / 15
        #expect(effect > 0.1 && effect < 0.3, "difference in differences \(effect) SD")
    }
}
