import GapTrackDomain
import GapTrackStore
import Postgres

/// What every university report starts from: the provider, its course instances as they stood on
/// the as-of date, and the years of entry asked for (every year held when none are), so that the
/// lifecycle report and the support evaluation count the same cohort (docs/methodology.md §11).
public struct UniversityCohortLoad {
    public let provider: Provider
    public let store: HigherEducationLifecycle
    public let students: [LifecycleStudent]
    public let years: [AcademicYear]

    /// Throws `noStudents(code)` when the provider holds no course instances.
    public init(provider code: ProviderCode, years: LifecycleYears?, asOf: CalendarDate, on connection: PostgresConnection,
                noStudents: (String) -> any Error) throws {
        provider = try Providers(connection: connection).require(code: code)
        store = HigherEducationLifecycle(connection: connection)
        students = try store.students(providerID: provider.id!, asOf: asOf)
        guard !students.isEmpty else { throw noStudents(code.description) }
        self.years = years?.years ?? Array(Set(students.map(\.entryYear))).sorted()
    }

    /// The imports the provider's course instances rest on, for the report's data cut.
    public func imports() throws -> [Int] { try store.importIDs(providerID: provider.id!) }
}
