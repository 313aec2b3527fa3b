import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackReports
import Postgres

extension PriorAttainmentBanding: ExpressibleByArgument {}

/// `gaptrack report impact`: did an intervention work, for whom, and at what cost.
struct ImpactReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "impact",
        abstract: "Measure an intervention's impact against a matched comparison group, in months and pounds.",
        discussion: """
            Participants (students with the support delivered in the period) are compared with students of the same \
            cohort who did not have it, matched on disadvantage status and prior-attainment band. The change from the \
            before assessment to the after assessment is reported as an effect size with its 95% confidence interval \
            and in EEF months of additional progress, with attendance, spend by funding source and the cost per month \
            of progress where the effect is clear. Groups too small to say anything get a refusal, never a number.

            Examples:
              gaptrack report impact --provider demo-academy --type tutoring \\
                --cohort year-11 \\
                --before maths@2024/25-autumn --after maths@2024/25-summer
              gaptrack report impact --provider demo-academy --programme NTP-2024 \\
                --before 'english:Autumn mock@2024/25-autumn' \\
                --after english@2024/25-summer
              gaptrack report impact --provider demo-university \\
                --support cost-of-living --year 2024/25
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The provider's code, e.g. demo-academy.")
    var provider: ProviderCode

    @Option(help: ArgumentHelp(
        "The intervention type to evaluate: tutoring, mentoring, language_support, enrichment, ... (staff spellings accepted).",
        valueName: "type"))
    var type: String?

    @Option(help: ArgumentHelp(
        "Evaluate one programme: the support records whose reference starts with this text (e.g. NTP-2024).", valueName: "reference-prefix"))
    var programme: String?

    @Option(help: ArgumentHelp(
        "Universities: 'cost-of-living' compares uptake, continuation and marks of LSEB students with hardship, bursary, food or housing support.",
        valueName: "kind"))
    var support: String?

    @Option(help: ArgumentHelp(
        "The assessment before the intervention: SUBJECT@YYYY/YY-TERM, or SUBJECT:NAME@YYYY/YY-TERM.", valueName: "point"))
    var before: String?

    @Option(help: ArgumentHelp("The assessment after the intervention, written like --before.", valueName: "point"))
    var after: String?

    @Option(help: ArgumentHelp(
        "The cohort, as the termly report names it: year-11, course-bsc-psy, intake-2024 (default: every year group or course, each matched within itself).",
        valueName: "cohort"))
    var cohort: String?

    @Option(help: ArgumentHelp("Universities: the academic year, e.g. 2024/25.", valueName: "year"))
    var year: AcademicYear?

    @Option(help: ArgumentHelp("Support from this date counts (default: the start of the before term).", valueName: "YYYY-MM-DD"))
    var from: String?

    @Option(help: ArgumentHelp("Support up to this date counts (default: the end of the after term).", valueName: "YYYY-MM-DD"))
    var to: String?

    @Option(help: ArgumentHelp(
        "How prior attainment is banded for matching: auto, ks2 or before-terciles.",
        discussion: """
            auto (the default) uses KS2 scaled score bands (below 100, 100-109, 110+) in a cohort where 90% or more have a KS2 \
            result, and thirds of the before scores elsewhere. Choose before-terciles when pupils were picked for the \
            intervention because of their score on the before assessment itself.
            """,
        valueName: "banding"))
    var priorBand: PriorAttainmentBanding = .automatic

    @OptionGroup var out: ReportOutputOptions

    func validate() throws {
        let chosen = [type, programme, support].compactMap { $0 }
        guard chosen.count == 1 else {
            throw ValidationError(chosen.isEmpty ? ImpactError.noInterventionChosen.description : "give only one of --type, --programme and --support")
        }
        if let support, support.lowercased() != "cost-of-living" {
            throw ValidationError("--support takes 'cost-of-living' (hardship awards, bursaries, food and housing support)")
        }
    }

    /// The request, with `--cohort` read by the one cohort grammar: text that cannot be a cohort
    /// gets the error of a cohort without students, which lists those with some (in the before
    /// term; without one, the grammar's own message).
    func request(on connection: PostgresConnection) throws -> ImpactRequest {
        let intervention: ImpactIntervention
        if let type {
            do { intervention = .type(try InterventionType.parse(type)) } catch { throw ValidationError(error.description) }
        } else if let programme {
            intervention = .programme(programme)
        } else {
            intervention = .costOfLiving
        }
        func date(_ text: String?, _ option: String) throws -> CalendarDate? {
            guard let text else { return nil }
            do { return try CalendarDate(parsing: text) } catch { throw ValidationError("--\(option): \(error.description)") }
        }
        let before = try before.map(AssessmentPointSelector.init(parsing:))
        var cohortCode: CohortCode?
        if let cohort {
            do {
                cohortCode = try CohortCode(parsing: cohort)
            } catch {
                guard let term = before?.term else { throw ValidationError("--cohort: \(error.description)") }
                throw try ImpactQueries.unknownCohort(cohort, provider: provider, term: term, on: connection)
            }
        }
        return ImpactRequest(
            providerCode: provider, intervention: intervention, before: before,
            after: try after.map(AssessmentPointSelector.init(parsing:)), cohort: cohortCode, from: try date(from, "from"), to: try date(to, "to"),
            priorBand: priorBand, academicYear: year)
    }

    func run() throws {
        let connection = try database.connect()
        let request = try request(on: connection)
        // Governors and the public get it shaped beside their termly report (docs/disclosure-control.md §7.8).
        let report = try TermlyReportQueries(connection: connection).impactReport(request, audience: out.audience)
        try out.deliver(try out.format.render(report))
    }
}
