import ArgumentParser
import GapTrackDomain
import GapTrackStore

/// `gaptrack calendar show`: the school days attendance marks are checked against and possible
/// sessions are counted from (docs/methodology.md §3.3). The calendar itself is imported with
/// `gaptrack import calendar`.
struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Show a provider's school calendar: its terms, holidays, closures and school days.",
        subcommands: [Show.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the calendar of one academic year.",
            discussion: """
                Lists the periods the provider recorded (gaptrack import calendar FILE.csv --provider CODE), then each \
                weekday that is not a school day and why, and the count of school days. A year with no term dates \
                recorded uses the default calendar: weekdays except English bank holidays and August.
                Example: gaptrack calendar show --provider demo-academy --year 2024/25
                """)

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The provider (see 'gaptrack provider list').")
        var provider: ProviderCode

        @Option(help: "The academic year, e.g. 2024/25.")
        var year: AcademicYear

        func run() throws {
            let connection = try database.connect()
            let found = try Providers(connection: connection).require(code: provider)
            let calendars = SchoolCalendars(connection: connection)
            let periods = try calendars.periods(providerID: found.id!, year: year)
            let days = try calendars.weekdays(providerID: found.id!, year: year)
            print("School calendar of \(found.name) (\(found.code)), \(year)")
            if periods.contains(where: { $0.kind == .term }) {
                print("")
                for period in periods {
                    let span = period.from == period.to ? period.from.isoString : "\(period.from.isoString) to \(period.to.isoString)"
                    print("  \(period.kind.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(span.padding(toLength: 25, withPad: " ", startingAt: 0)) \(period.description)")
                }
            } else {
                print("No term dates recorded for \(year): the default calendar applies (weekdays except English bank holidays and August)."
                      + (periods.isEmpty ? "" : " Recorded closures: \(periods.count)."))
            }
            print("")
            print("Weekdays that are not school days:")
            for day in days {
                guard let reason = day.closedBecause else { continue }
                print("  \(day.date.isoString)  \(reason.label)")
            }
            let open = days.filter { $0.closedBecause == nil }.count
            print("")
            print("\(open) school days, \(2 * open) possible sessions for a pupil on roll all year.")
        }
    }
}
