import GapTrackDomain
import GapTrackReports
import GapTrackStore
import TestSupport
import Testing

@Suite struct NationalFiguresTests {
    @Test func theTableHoldsThePublishedValuesWithSources() throws {
        func value(_ measure: NationalFigure.Measure, _ phase: NationalFigure.Phase, _ year: Int) -> Double? {
            NationalFigures.all.first { $0.measure == measure && $0.phase == phase && $0.resultsYear == year }?.value
        }
        #expect(value(.dfeGapIndex, .keyStage4, 2019) == 3.70)
        #expect(value(.dfeGapIndex, .keyStage4, 2023) == 3.94)
        #expect(value(.dfeGapIndex, .keyStage4, 2024) == 3.92)
        #expect(value(.dfeGapIndex, .keyStage2, 2023) == 3.21)
        #expect(value(.epiMonths, .keyStage4, 2023) == 19.2)
        #expect(value(.epiMonths, .keyStage2, 2024) == 10.0)
        #expect(value(.epiMonths, .earlyYears, 2024) == 4.7)
        for figure in NationalFigures.all {
            #expect(figure.source.url.hasPrefix("https://"), "\(figure.measure) \(figure.resultsYear) needs a source")
            #expect(!figure.checked.isEmpty)
        }
        // Every figure is confirmed against a publication (docs/methodology.md §8), and the
        // note a reader sees names that publication, never a file outside the repository.
        #expect(NationalFigures.all.filter { !$0.isConfirmed }.isEmpty)
        let ks2024 = try #require(NationalFigures.all.first { $0.measure == .dfeGapIndex && $0.phase == .keyStage2 && $0.resultsYear == 2024 })
        #expect(ks2024.value == 3.13 && ks2024.checked.contains("Durham University") && ks2024.checked.contains("3.12"))
        #expect(NationalFigures.all.allSatisfy { !$0.checked.contains(".md") })
    }

    @Test func theMethodNotesCiteTheProjectsOwnMethodDocument() throws {
        let report = SampleReport.report()
        let months = try #require(report.method.first { $0.topic == "Months of learning" })
        #expect(months.text.hasPrefix("Two conversions are shown (docs/methodology.md §5.5), each with its inputs."))
        #expect(report.method.allSatisfy { !$0.text.contains("domain") })
    }

    /// §8.3 and §8.4 as published; in every pair the disadvantaged (or eligible) pupils fare
    /// worse, as in every release.
    @Test func theNationalPairsHoldThePublishedValues() throws {
        func pair(_ measure: NationalPairFigure.Measure, _ phase: NationalFigure.Phase, _ year: Int, _ term: NationalPairFigure.Term? = nil) -> NationalPairFigure? {
            NationalContextFigures.all.first { $0.measure == measure && $0.phase == phase && $0.resultsYear == year && $0.term == term }
        }
        #expect(pair(.englishMathsGrade4, .keyStage4, 2019).map { [$0.group, $0.others] } == [44.7, 71.8])
        #expect(pair(.englishMathsGrade5, .keyStage4, 2024).map { [$0.group, $0.others] } == [26.0, 53.4])
        #expect(pair(.attainment8, .keyStage4, 2019).map { [$0.group, $0.others] } == [36.7, 50.3])
        // DfE 'National characteristics summary', 2022/23 revised: Attainment 8 sums over pupils,
        // 5,575,875.28 / 159,363 = 34.99 → 35.0 and 22,511,899.3 / 447,552 = 50.30 → 50.3; grade 4+
        // 69,151 / 159,363 = 43.39% → 43.4 and 325,936 / 447,552 = 72.83% → 72.8.
        #expect(pair(.attainment8, .keyStage4, 2023).map { [$0.group, $0.others] } == [35.0, 50.3])
        #expect(pair(.attainment8, .keyStage4, 2023)?.status == .revised)
        #expect(pair(.englishMathsGrade4, .keyStage4, 2023).map { [$0.group, $0.others] } == [43.4, 72.8])
        #expect(pair(.overallAbsence, .secondarySchools, 2019).map { [$0.group, $0.others] } == [9.2, 4.8])
        #expect(pair(.persistentAbsence, .allSchools, 2024, .autumn).map { [$0.group, $0.others] } == [33.0, 15.6])
        #expect(pair(.persistentAbsence, .allSchools, 2024) == nil, "the autumn figure is not a full-year one")
        for row in NationalContextFigures.all {
            let absence = row.measure.kind == .absence
            #expect(absence ? row.group > row.others : row.group < row.others, "\(row.measure) \(row.resultsYear)")
            #expect(row.isConfirmed && row.source.url.hasPrefix("https://") && !row.checked.contains(".md"))
        }
        #expect(pair(.overallAbsence, .allSchools, 2024, .autumn)?.periodText == "2023/24 autumn term")
        #expect(pair(.attainment8, .keyStage4, 2019)?.title == "Attainment 8 (average score): disadvantaged v. other pupils")
    }

    /// Whom a pair compares follows from one property, attainment or absence, in words and in ids.
    @Test func aPairsGroupsFollowFromWhetherItIsAttainmentOrAbsence() {
        let attainment = NationalPairFigure.Measure.allCases.filter { $0.kind == .attainment }
        #expect(attainment == [.englishMathsGrade4, .englishMathsGrade5, .attainment8])
        for measure in NationalPairFigure.Measure.allCases {
            let isAttainment = measure.kind == .attainment
            let words = [measure.groups.group, measure.groups.others], ids = [measure.groupIDs.group, measure.groupIDs.others]
            #expect(words == (isAttainment ? ["disadvantaged", "other pupils"] : ["eligible for free school meals", "not eligible"]))
            #expect(ids == (isAttainment ? ["disadvantaged", "others"] : ["fsm_eligible", "fsm_not_eligible"]))
        }
    }

    /// A cohort gets its key stage's attainment pairs and its school phase's absence, the
    /// latest of each measure: a year beats an earlier one, and the whole year beats a term of
    /// the same year.
    @Test func aCohortGetsTheLatestPairOfEachMeasureForItsPhases() {
        #expect(NationalContextFigures.phases(for: "year-7") == [.keyStage2, .secondarySchools, .allSchools])
        #expect(NationalContextFigures.phases(for: "year-4") == [.keyStage2, .primarySchools, .allSchools])
        #expect(NationalContextFigures.phases(for: "year-12").isEmpty)
        let year11 = NationalContextFigures.latest(for: "year-11", upTo: AcademicYear(startYear: 2024))
        #expect(year11.map(\.resultsYear) == [2023, 2024, 2023, 2024, 2024])
        #expect(NationalContextFigures.latest(for: "year-4", upTo: AcademicYear(startYear: 2024)).map(\.measure) == [.overallAbsence, .persistentAbsence])
        #expect(NationalContextFigures.latest(for: "all", upTo: AcademicYear(startYear: 2024)).isEmpty)
    }

    /// A report of an earlier year is set beside the national figures of its own year or before,
    /// never later ones: a 2018/19 Year 11 report takes 2019's Attainment 8 pair (36.7 v 50.3,
    /// the DfE's 2018/19 national characteristics table) and its gap index series ends at 2019.
    @Test func anOlderReportTakesNoNationalFigureFromAfterItsYear() throws {
        let pairs = NationalContextFigures.latest(for: "year-11", upTo: AcademicYear(startYear: 2018))
        #expect(!pairs.isEmpty && pairs.allSatisfy { $0.resultsYear <= 2019 })
        let attainment8 = try #require(pairs.first { $0.measure == .attainment8 })
        #expect(attainment8.resultsYear == 2019 && attainment8.group == 36.7 && attainment8.others == 50.3)

        var data = SampleReport.data()
        data.term = AcademicTerm(year: AcademicYear(startYear: 2018), term: .summer)
        let report = TermlyGapReportBuilder().build(data)
        let years = report.nationalComparison.map(\.national.resultsYear)
        #expect(!years.isEmpty && years.allSatisfy { $0 <= 2019 })
        #expect(report.nationalComparison.contains { $0.national.resultsYear == 2019 && $0.local != nil }, "the 2019 figure is the one set beside the cohort's own")
        #expect(report.nationalContext?.allSatisfy { $0.resultsYear <= 2019 } ?? true)
    }

    /// A Year 11 report prints the latest Attainment 8 pair with its year, its status and the
    /// data set it was read from, in every text format (docs/methodology.md §8.3).
    @Test func aYear11ReportPrintsTheLatestAttainment8PairWithItsYearAndSource() throws {
        let report = SampleReport.report()
        let pair = try #require(report.nationalContext?.first { $0.measure == .attainment8 })
        #expect(pair.periodText == "2022/23" && pair.groupText == "35.0" && pair.othersText == "50.3")
        let markdown = MarkdownReportRenderer.render(report)
        let row = try #require(markdown.split(separator: "\n").first { $0.contains("Attainment 8 (average score)") })
        #expect(row.contains("| 2022/23 | 35.0 | 50.3 | revised |") && row.contains("find-statistics/key-stage-4-performance"))
        #expect(TerminalReportRenderer.render(report).contains("Source: Department for Education, Key stage 4 performance 2022/23"))
        let html = HTMLReportRenderer.render(report)
        #expect(html.contains("Key stage 4 performance 2022/23 (data set &#39;National characteristics summary&#39;, revised)"))
    }

    /// The sentence above the pairs names what is printed: a Year 7 cohort has absence pairs only,
    /// so its report says nothing of KS4 measures (it said "KS4 headline measures and absence").
    @Test func theIntroductionToTheNationalPairsNamesOnlyWhatIsPrinted() throws {
        var report = SampleReport.report()
        let year11 = MarkdownReportRenderer.render(report)
        #expect(year11.contains("For context, England: KS4 headline measures and absence, with no figure of this cohort beside them."))
        #expect(year11.contains("are in the KS4 section"))
        report.nationalContext = NationalContextFigures.latest(for: "year-7", upTo: AcademicYear(startYear: 2024))
        for text in [MarkdownReportRenderer.render(report), HTMLReportRenderer.render(report), TerminalReportRenderer.render(report)] {
            #expect(text.contains("For context, England: absence, with no figure of this cohort beside them."))
            #expect(!text.contains("KS4 headline measures") && !text.contains("are in the KS4 section"))
        }
    }

    @Test func cohortsMapToTheirPhase() {
        #expect(NationalFigures.phase(for: "year-11") == .keyStage4)
        // Years 7 to 9 last sat the KS2 tests: they compare with KS2, not with GCSE results.
        #expect(NationalFigures.phase(for: "year-7") == .keyStage2)
        #expect(NationalFigures.phase(for: "year-9") == .keyStage2)
        #expect(NationalFigures.phase(for: "year-10") == .keyStage4)
        #expect(NationalFigures.phase(for: "ks3") == .keyStage2)
        #expect(NationalFigures.phase(for: "ks4") == .keyStage4)
        #expect(NationalFigures.phase(for: "ks2") == .keyStage2)
        #expect(NationalFigures.phase(for: "all") == nil)
        #expect(NationalFigures.phase(for: "year-6") == .keyStage2)
        #expect(NationalFigures.phase(for: "year-1") == .keyStage2)
        #expect(NationalFigures.phase(for: "year-R") == .earlyYears)
        #expect(NationalFigures.phase(for: "Reception") == .earlyYears)
        #expect(NationalFigures.phase(for: "year-n1") == nil)
        #expect(NationalFigures.phase(for: "year-12") == nil)
        #expect(NationalFigures.phase(for: "intake-2024") == nil)
        #expect(NationalFigures.phase(for: "course-bsc-psy") == nil)
    }

    @Test func theReportComparesItsHeadlineSubjectWithTheLatestNationalFigure() throws {
        let report = SampleReport.report()
        let latestIndex = try #require(report.nationalComparison.last { $0.national.measure == .dfeGapIndex })
        #expect(latestIndex.national.resultsYear == 2024 && latestIndex.national.phase == .keyStage4)
        #expect(latestIndex.local == report.attainment(subject: "maths")?.gapIndex)
        #expect(latestIndex.localLabel?.contains("maths (Autumn mock)") == true)
        #expect(report.nationalComparison.filter { $0.local != nil }.count <= 2)
    }
}
