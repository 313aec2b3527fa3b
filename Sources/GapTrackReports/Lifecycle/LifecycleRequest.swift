import GapTrackDomain
import GapTrackStore
import Postgres

/// Which years of entry a lifecycle report covers: "2021/22-2024/25", or one year "2024/25".
public struct LifecycleYears: Sendable, Equatable {
    public let first: AcademicYear
    public let last: AcademicYear

    public init(parsing text: String) throws(LifecycleError) {
        let parts = text.split(separator: "-", maxSplits: 1).map(String.init)
        do {
            first = try AcademicYear(parsing: parts[0])
            last = parts.count == 2 ? try AcademicYear(parsing: parts[1]) : first
        } catch {
            throw .years("'\(text)' is not a range of years of entry; write it as 2021/22-2024/25, or one year as 2024/25")
        }
        guard first <= last else { throw .years("'\(text)' ends before it starts; write the earlier year first, e.g. 2021/22-2024/25") }
        guard last.startYear - first.startYear < 15 else { throw .years("'\(text)' spans more than 15 years of entry; choose a shorter range") }
    }

    public var years: [AcademicYear] { (first.startYear...last.startYear).map(AcademicYear.init(startYear:)) }
}

public enum LifecycleError: Error, Sendable, Equatable, CustomStringConvertible {
    case years(String)
    case noStudents(provider: String)

    public var description: String {
        switch self {
        case .years(let message): message
        case .noStudents(let provider):
            "\(provider) has no course instances to report on; load the student-record extract with 'gaptrack import student-records FILE --provider \(provider) --preset hesa'"
        }
    }
}

/// Loads what the lifecycle report needs and builds it for an audience.
public enum LifecycleQueries {
    public static func report(provider code: ProviderCode, years: LifecycleYears?, asOf: CalendarDate, audience: ReportAudience,
                              on connection: PostgresConnection) throws -> LifecycleReport {
        let cohort = try UniversityCohortLoad(provider: code, years: years, asOf: asOf, on: connection) { LifecycleError.noStudents(provider: $0) }
        return try LifecycleReportBuilder(audience: audience).build(
            providerCode: cohort.provider.code, providerName: cohort.provider.name, students: cohort.students, years: cohort.years,
            asOf: asOf, imports: try cohort.imports())
    }
}
