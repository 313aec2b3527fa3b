import DisclosureControl
import CSVFormat
import Foundation
import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import Postgres
import TestDatabase
import TestSupport
import GapTrackStore
import Testing

/// Who a termly report compares (`ComparisonGroup`): LSEB by default at a
/// university and at a college without school markers, the DfE definition at a school, and every
/// `--compare` definition, each against the same figures computed in Swift from the students.
@Suite struct ComparisonGroupTests {
    /// A seeded university intake (or college cohort) with higher-education markers and one
    /// module mark each, kept in Swift so that each group can be worked out independently.
    struct Student {
        var number: Int
        var imd: Int?
        var polar4: Int?
        var firstInFamily = false
        var careLeaver = false
        var estranged = false
        var lookedAfter = false
        /// An SMC answer (smc_parental_occupations.answer), or nil for none given.
        var smcAnswer: String?
        var mark: Double

        var smcGroup: String? {
            switch smcAnswer {
            case "modern_professional", "traditional_professional": "professional"
            case "clerical_and_intermediate": "intermediate"
            case "routine_manual_and_service", "long_term_unemployed": "lower_socio_economic"
            default: nil
            }
        }

        var isLSEB: Bool { (imd ?? 9) <= 2 || (polar4 ?? 9) <= 2 || firstInFamily || careLeaver || estranged }

        /// The compared side under `comparison`: true, false, or nil for neither.
        func side(_ comparison: ComparisonGroup) -> Bool? {
            switch comparison {
            case .dfeDisadvantaged: lookedAfter
            case .lseb: isLSEB
            case .imdQuintile1: imd.map { $0 == 1 }
            case .polar4Quintile1: polar4.map { $0 == 1 }
            case .smcLower: smcGroup.map { $0 == "lower_socio_economic" }
            case .firstInFamily: firstInFamily
            case .careExperienced: careLeaver || lookedAfter
            }
        }
    }

    static func students(count: Int, seed: UInt64) -> [Student] {
        var generator = SeededGenerator(seed: seed)
        let answers = ["modern_professional", "traditional_professional", "clerical_and_intermediate", "routine_manual_and_service", "long_term_unemployed", "prefer_not_to_say", "other"]
        return (1...count).map { number in
            var student = Student(number: number, mark: 0)
            student.imd = generator.unitInterval() < 0.1 ? nil : 1 + generator.index(below: 5)
            student.polar4 = generator.unitInterval() < 0.15 ? nil : 1 + generator.index(below: 5)
            student.firstInFamily = generator.unitInterval() < 0.35
            student.careLeaver = generator.unitInterval() < 0.06
            student.estranged = generator.unitInterval() < 0.03
            student.smcAnswer = generator.unitInterval() < 0.3 ? nil : answers[generator.index(below: answers.count)]
            // Marks fall with deprivation and lower socio-economic background, so the gaps differ by definition.
            let penalty = (student.imd == 1 ? 4.0 : 0) + (student.smcGroup == "lower_socio_economic" ? 3 : 0) + (student.firstInFamily ? 2 : 0)
            student.mark = min(100, max(0, (62 + 11 * Normal.sample(using: &generator) - penalty).rounded()))
            return student
        }
    }

    /// Loads the students as provider `code` of `kind`, enrolled in 2024/25 on one course, with a
    /// module mark in the autumn term. Returns the provider's id.
    @discardableResult
    static func load(_ students: [Student], code: String, kind: String, ukprn: String = "10001234", on connection: PostgresConnection) throws -> Int {
        let providerID: Int = try connection.query(
            "INSERT INTO providers (code, name, kind, ukprn) VALUES ($1, $2, $3::provider_kind, $4) RETURNING provider_id",
            [code, "Provider \(code)", kind, ukprn]
        ).single().decode("provider_id")
        try connection.query(
            """
            INSERT INTO students (provider_id, institution_id, legal_surname, forename, date_of_birth)
            SELECT $1, 'U' || n, 'Surname', 'Forename', DATE '2005-01-01' + n FROM generate_series(1, $2::int) AS n
            """, [providerID, students.count])
        try connection.query(
            """
            INSERT INTO enrolments (student_id, academic_year, course, intake_year, start_date)
            SELECT student_id, '2024/25', 'BSC-X', '2024/25', DATE '2024-09-23' FROM students WHERE provider_id = $1
            """, [providerID])
        let base: Int = try connection.query("SELECT min(student_id) AS base FROM students WHERE provider_id = $1", [providerID]).single().decode("base")
        try connection.copyIn("COPY student_markers (student_id, marker, value, starts_on, source) FROM STDIN") { writer in
            for student in students {
                let id = String(base + student.number - 1)
                if let imd = student.imd { try writer.writeRow([id, "imd_quintile", String(imd), "2024-01-01", "spell"]) }
                if let polar4 = student.polar4 { try writer.writeRow([id, "polar4_quintile", String(polar4), "2024-01-01", "spell"]) }
                if student.firstInFamily { try writer.writeRow([id, "first_in_family", nil, "2024-01-01", "spell"]) }
                if student.careLeaver { try writer.writeRow([id, "care_leaver", nil, "2024-01-01", "spell"]) }
                if student.estranged { try writer.writeRow([id, "estranged", nil, "2024-01-01", "spell"]) }
                if student.lookedAfter { try writer.writeRow([id, "looked_after", nil, "2020-01-01", "spell"]) }
                if let answer = student.smcAnswer { try writer.writeRow([id, "smc_parental_occupation", answer, "2024-09-01", "spell"]) }
            }
        }
        let point: Int = try connection.query(
            "INSERT INTO assessment_points (provider_id, subject, name, scale, academic_year, term) VALUES ($1, 'MOD101', 'Coursework', 'he_mark', '2024/25', 'autumn') RETURNING assessment_point_id",
            [providerID]
        ).single().decode("assessment_point_id")
        try connection.copyIn("COPY assessment_results (assessment_point_id, scale, student_id, score, result_text, assessed_on) FROM STDIN") { writer in
            for student in students {
                try writer.writeRow([String(point), "he_mark", String(base + student.number - 1), String(Int(student.mark)), String(Int(student.mark)), "2024-12-12"])
            }
        }
        return providerID
    }

    @Test func aUniversityComparesLSEBStudentsByDefaultAndSaysSo() throws {
        let students = Self.students(count: 400, seed: 12)
        try TestDatabase.withMigratedDatabase { connection in
            try Self.load(students, code: "uni", kind: "university", on: connection)
            let queries = TermlyReportQueries(connection: connection)
            let data = try queries.data(provider: "uni", cohort: "intake-2024", term: "2024/25-autumn")
            #expect(data.comparison == .lseb)
            let lseb = students.filter(\.isLSEB)
            #expect(data.groupCounts[.disadvantaged] == lseb.count)
            #expect(data.groupCounts[.others] == students.count - lseb.count)
            let report = TermlyGapReportBuilder().build(data)
            #expect(report.comparison == .lseb)
            #expect(report.groupSize(.disadvantaged)?.group.label == "LSEB (lower socio-economic background)")
            let row = try #require(report.attainment(subject: "MOD101"))
            let index = try GapIndex(disadvantaged: lseb.map(\.mark), others: students.filter { !$0.isLSEB }.map(\.mark))
            expectClose(row.gapIndex.value?.value, index.value, tolerance: 1e-10, "LSEB gap index")
            expectClose(row.gapIndex.value?.lower, index.confidenceInterval?.lower, tolerance: 1e-9, "LSEB gap index lower")
            // No months for a university: the reason is in the report, not a number.
            #expect(row.months == nil && row.monthsConversions.isEmpty)
            #expect(TerminalReportRenderer.render(report).contains("No gap is given in months of learning"))
            // The definition is stated: header, method and CSV.
            #expect(TerminalReportRenderer.render(report).contains("Compared: LSEB students against all others (--compare lseb)"))
            #expect(report.method.contains { $0.topic == "Disadvantage in further and higher education" && $0.text.contains("--compare lseb") })
            #expect(report.method.contains { $0.topic == "Cohort and groups" && $0.text.contains("IMD quintile 1 or 2, or POLAR4 quintile 1 or 2") })
            let csv = try CSVReader(string: CSVReportRenderer.render(report)).readAll()
            #expect(csv.dropFirst().first?.fields[3...7] == ["comparison", "", "", "compared_group", "lseb"])
            // The HE group sizes: quintiles, first in family, care leavers, estranged, SMC with the declaration rate.
            for group in [ReportGroup.imdQuintile(1), .polar4Quintile(5), .firstInFamily, .careLeaver, .estranged, .smc(.lowerSocioEconomic), .smcDeclared] {
                #expect(report.groupSize(group) != nil, "\(group.id)")
            }
            let declared = students.filter { $0.smcGroup != nil }.count
            expectClose(report.groupSize(.smcDeclared)?.percentOfCohort.value?.value, 100 * Double(declared) / 400, "declaration rate")
            // Still available: the DfE definition, empty here, so every gap is withheld.
            let dfe = try queries.report(provider: "uni", cohort: "intake-2024", term: "2024/25-autumn", comparison: .dfeDisadvantaged)
            #expect(dfe.attainment(subject: "MOD101")?.gapIndex.isSuppressed == true)
            #expect(dfe.method.contains { $0.topic == "Disadvantage in higher education" })
        }
    }

    @Test(arguments: [ComparisonGroup.imdQuintile1, .polar4Quintile1, .smcLower, .firstInFamily, .careExperienced, .lseb])
    func everyComparisonMatchesTheSwiftGroups(comparison: ComparisonGroup) throws {
        var students = Self.students(count: 500, seed: 40)
        for index in students.indices where index % 13 == 0 { students[index].lookedAfter = true }
        try TestDatabase.withMigratedDatabase { connection in
            try Self.load(students, code: "uni", kind: "university", on: connection)
            let data = try TermlyReportQueries(connection: connection).data(
                provider: "uni", cohort: "intake-2024", term: "2024/25-autumn", comparison: comparison)
            let compared = students.filter { $0.side(comparison) == true }
            let others = students.filter { $0.side(comparison) == false }
            #expect(data.groupCounts[.disadvantaged] == compared.count, "\(comparison)")
            #expect(data.groupCounts[.others] == others.count, "\(comparison)")
            #expect(data.cohortSize == 500, "students in neither group still count in the cohort")
            // Ranks, means and placements over the two sides only: students in neither group are left out.
            let subject = try #require(data.subjects.first)
            let reference = ReferenceAggregates.scores(disadvantaged: compared.map(\.mark), others: others.map(\.mark))
            #expect(subject.disadvantaged?.count == compared.count && subject.others?.count == others.count)
            expectClose(subject.disadvantaged?.meanPercentileRank, reference.disadvantaged.meanPercentileRank, tolerance: 1e-12, "rank D \(comparison)")
            expectClose(subject.others?.placementVariance, reference.others.placementVariance, tolerance: 1e-12, "placements O \(comparison)")
            expectClose(subject.ageGradient.map { Double($0.count) }, Double(compared.count + others.count), "age gradient n \(comparison)")
            let report = TermlyGapReportBuilder().build(data)
            let index = try GapIndex(disadvantaged: compared.map(\.mark), others: others.map(\.mark))
            expectClose(report.attainment.first?.gapIndex.value?.value, index.value, tolerance: 1e-10, "index \(comparison)")
            #expect(report.groupSize(.disadvantaged)?.group.label == comparison.groupLabel)
            #expect(report.groupSize(.others)?.group.label == comparison.othersLabel)
            #expect(report.nationalComparison.allSatisfy { $0.local == nil })
        }
    }

    @Test func aCollegeWithoutSchoolMarkersComparesLSEBAndOneWithThemTheDfEDefinition() throws {
        let students = Self.students(count: 120, seed: 3)
        try TestDatabase.withMigratedDatabase { connection in
            try Self.load(students, code: "college-a", kind: "college", on: connection)
            var marked = Self.students(count: 120, seed: 4)
            for index in marked.indices where index % 4 == 0 { marked[index].lookedAfter = true }
            try Self.load(marked, code: "college-b", kind: "college", ukprn: "10005678", on: connection)
            let queries = TermlyReportQueries(connection: connection)
            #expect(try queries.data(provider: "college-a", cohort: "course-bsc-x", term: "2024/25-autumn").comparison == .lseb)
            let withMarkers = try queries.data(provider: "college-b", cohort: "course-bsc-x", term: "2024/25-autumn")
            #expect(withMarkers.comparison == .dfeDisadvantaged)
            #expect(withMarkers.groupCounts[.disadvantaged] == 30)
            // A school keeps the DfE definition whatever markers it has.
            let school = SyntheticSchool.generate(count: 40, seed: 8, schoolDays: 0, supportShare: 0)
            try school.load(into: connection)
            #expect(try queries.data(provider: "synthetic-school", cohort: "year-11", term: "2024/25-autumn").comparison == .dfeDisadvantaged)
        }
    }

    @Test func smcLowerSizesCannotBeRecoveredFromTheDeclaredTotal() throws {
        // 9 lower (withheld), 40 others = professional + intermediate, 49 declared: without the
        // comparison's partition, 49 − 40 would give the 9 away.
        let data = TermlyReportData(
            provider: ReportProvider(code: "u", name: "U", kind: .university), cohort: ReportCohort(code: "intake-2024", label: "2024/25 intake"),
            term: try! AcademicTerm(parsing: "2024/25-autumn"), imports: [], cohortSize: 80,
            groupCounts: [.disadvantaged: 9, .others: 40, .smc(.professional): 25, .smc(.intermediate): 15, .smc(.lowerSocioEconomic): 9, .smcDeclared: 49, .smcNotDeclared: 31],
            subjects: [], attendance: [], supportByType: [],
            supportTotal: SupportAggregates(type: nil, label: "All support", students: 0, disadvantagedStudents: 0, sessions: 0, hours: 0, spend: .zero),
            funding: [], trend: [], comparison: .smcLower)
        let report = try TermlyReportShaping().shape(TermlyGapReportBuilder().build(data), data: data, for: .governors)
        #expect(report.groupSize(.disadvantaged)?.students.isSuppressed == true)
        // Others + compared = declared, and others = professional + intermediate: a figure of
        // each chain is withheld with the 9, and nothing withheld can be worked out.
        #expect(report.suppressionNotes.contains { $0.contains("(complementary)") }, "\(report.suppressionNotes)")
        let audit = try DisclosureAuditor().audit(try TermlyReportTables.published(report, data: data))
        #expect(audit.passes, "\(audit.findings.map(\.description))")
        #expect((audit.interval(of: "group.disadvantaged")?.width ?? Int.max) >= 10)
    }
}
