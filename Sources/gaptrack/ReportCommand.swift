import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackReports

/// `gaptrack report`: reports made from the database.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Make reports from the data in the database.",
        subcommands: [Termly.self, Gap.self, ImpactReportCommand.self, StudentsReportCommand.self, GroupReportCommand.self, LifecycleReportCommand.self, CostOfLivingEvaluationCommand.self, PupilPremiumReportCommand.self, GovernorsPackCommand.self]
    )

    /// What every termly report needs: whose, which cohort, which term, and where it goes.
    struct TermlyOptions: ParsableArguments {
        @Option(help: "The provider's code, e.g. demo-academy.")
        var provider: ProviderCode

        /// Read in `cohortCode` rather than by ArgumentParser, so that a cohort which cannot be one
        /// is refused, like a cohort without students, with the list of those that have some.
        @Option(help: ArgumentHelp(
            "The cohort: a year group at a school (year-11, year-r), a key stage (ks2: years 3-6), the whole school (all), a course (course-bsc-psy) or an intake (intake-2024).",
            discussion: "A cohort with no students in the term is refused with the list of cohorts that have some."))
        var cohort: String

        @Option(
            help: "The term, written YYYY/YY-term, e.g. 2024/25-autumn (autumn 1 Aug–31 Dec, spring 1 Jan–31 Mar, summer 1 Apr–31 Jul).")
        var term: AcademicTerm

        @Option(help: ArgumentHelp(
            "Who each gap compares with the others.",
            discussion: """
                Default: dfe-disadvantaged (FSM Ever 6, looked after, previously looked after) at a school; lseb (IMD or POLAR4 quintile 1-2, \
                first in family, care leaver or estranged) at a university, and at a college whose cohort holds no school markers. \
                imd-q1 and polar4-q1 compare quintile 1 with quintiles 2-5, smc-lower the SMC lower socio-economic group with the \
                professional and intermediate ones; students a definition cannot place are in neither group. The report states the definition it used.
                """,
            valueName: "group"))
        var compare: ComparisonGroup?

        @Option(help: ArgumentHelp(
            "Add an intervention impact section: TYPE,BEFORE,AFTER, e.g. tutoring,maths@2024/25-autumn,maths@2024/25-summer (repeatable).",
            discussion: """
                Without --impact, 'report termly' has a section for each intervention type delivered to at least 10 students of the cohort \
                this academic year, comparing the subject most of them sat in both the earliest term of the year with results and the \
                report's term (so none in the autumn term).
                """,
            valueName: "section"), transform: Self.section)
        var impact: [ImpactRequest.TermlySection] = []

        @Flag(help: "Leave out the intervention impact sections.")
        var noImpact = false

        @Flag(help: "Leave out the lists of pupils behind small groups and each support type ('report termly'; see 'report students').")
        var noDrillDown = false

        @Option(help: ArgumentHelp(
            "Report on the pupils of the cohort who meet a condition (repeatable; all must hold).",
            discussion: """
                gender=F|M|X|U, sen=any|k|e|none, eal=yes|no, form=11B (the form group as imported), marker=young-carer (any yes/no \
                marker), group=CODE (the provider's own group: gaptrack pupil-group). Every section is computed over those pupils; \
                the intervention impact sections, which match within the whole cohort, are left out. \
                For governors and the public: one condition, no form group, no sen=k or sen=e alone, and for a whole school or \
                key stage no EAL, SEN or marker view.
                """,
            valueName: "key=value"), transform: Self.condition)
        var filter: [CohortFilter] = []

        @OptionGroup var out: ReportOutputOptions

        @Flag(help: ArgumentHelp(
            "Compute the report's data afresh instead of using the stored copy, and store the new one.",
            discussion: """
                gaptrack keeps the data of each report it makes in the database and uses it again, in any format, while nothing \
                the report rests on has changed: any import, any change made through the service or by hand to a table reports read makes the next \
                report compute afresh, so the figures are never stale. --recompute is for timing the computation, or for peace of mind.
                """))
        var recompute = false

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if noImpact, !impact.isEmpty { throw ValidationError("give --impact or --no-impact, not both") }
            if !impact.isEmpty, !filter.isEmpty {
                throw ValidationError("impact sections compare participants with the whole cohort, so they cannot be filtered: leave out --impact or --filter")
            }
            _ = try cohortFilter()
        }

        /// One `--filter` condition, checked as it is typed.
        static func condition(_ text: String) throws -> CohortFilter {
            do { return try CohortFilter(parsing: [text]) } catch { throw ValidationError(error.description) }
        }

        /// Every `--filter` at once (a key given twice with different values is refused).
        func cohortFilter() throws -> CohortFilter {
            var combined = CohortFilter()
            for condition in filter.flatMap(\.conditions) {
                do { try combined.add(parsing: condition) } catch { throw ValidationError(error.description) }
            }
            return combined
        }

        /// An `--impact` section, refused with `ImpactError`'s message.
        static func section(_ text: String) throws -> ImpactRequest.TermlySection {
            do { return try ImpactRequest.TermlySection(parsing: text) } catch { throw ValidationError(error.description) }
        }

        /// `--cohort` read by the one cohort grammar; text that cannot be a cohort gets the error
        /// of a cohort without students, which lists those with some.
        func cohortCode(_ queries: TermlyReportQueries) throws -> CohortCode {
            do {
                return try CohortCode(parsing: cohort)
            } catch {
                throw try queries.unknownCohort(cohort, provider: provider, term: term)
            }
        }

        /// Which impact sections: those asked for, none, or (where the command offers them) the
        /// automatic ones.
        func impactSections(automaticByDefault: Bool) -> TermlyImpactSections {
            if noImpact { return .none }
            if !impact.isEmpty { return .requested(impact) }
            return automaticByDefault ? .automatic : .none
        }

        func run(automaticImpact: Bool, drillDown: Bool = true) throws {
            let impactSections = impactSections(automaticByDefault: automaticImpact)
            let connection = try database.connect()
            let queries = TermlyReportQueries(connection: connection)
            let cohort = try cohortCode(queries)
            // The stored report data (sql/functions/report_snapshots.sql). The cache itself refuses a session that row-level
            // security applies to, whose data would depend on who asks.
            var report = try TermlyReportQueries.$snapshotCache.withValue(recompute ? .refresh : .use) {
                try queries.report(
                    provider: provider, cohort: cohort, term: term, comparison: compare, impact: impactSections, audience: out.audience,
                    filter: try cohortFilter())
            }
            if drillDown, !noDrillDown, out.audience.mayListPupils {
                report.drillDown = try StudentDrillDownQueries(connection: connection).sections(for: report, access: .staffReport)
            }
            try out.deliver(try out.format.render(report))
        }
    }

    struct Termly: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The termly gap report for a cohort: group sizes, attainment gap, attendance, support, trend, national figures.",
            discussion: """
                For staff (the default) every figure is true and a group of fewer than 10 is marked; for --audience governors or public \
                figures from fewer than 10 students, and those that would let one be worked out, are shown as c. The report states its data cut (the imports it \
                rests on) and its method; made again from the same data it is identical, byte for byte.
                Examples:
                  gaptrack report termly --provider demo-academy --cohort year-11 --term 2024/25-autumn --format html --output out/report.html
                  gaptrack report termly --provider demo-academy --cohort year-11 --term 2024/25-summer \\
                    --impact tutoring,maths@2024/25-autumn,maths@2024/25-summer
                  gaptrack report termly --provider demo-university --cohort intake-2024 --term 2024/25-summer --compare polar4-q1
                """)

        @OptionGroup var options: TermlyOptions

        func run() throws { try options.run(automaticImpact: true) }
    }

    /// The gap report leaves out the automatic impact sections and the pupil lists: matching
    /// every intervention against a comparison group, or listing every pupil supported, costs far
    /// more than the gap itself on a large cohort (BENCHMARKS.md), and the gap is what this
    /// command is asked for.
    struct Gap: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The disadvantage gap report for a cohort and term: the termly report without the automatic impact sections (add them with --impact).")

        @OptionGroup var options: TermlyOptions

        func run() throws { try options.run(automaticImpact: false, drillDown: false) }
    }
}

extension ReportFormat: ExpressibleByArgument {}
extension ComparisonGroup: ExpressibleByArgument {}
