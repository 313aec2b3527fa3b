/// What an API token may do. Raw values are stored in `api_tokens.role` (the database's
/// `api_role` enum).
public enum APIRole: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Everything for its provider, including restricted records and the audit log.
    case admin
    /// Records and reads everything for its provider, including restricted records.
    case dataLead = "data_lead"
    /// Records and reads interventions and support and reads timelines, without restricted
    /// records (care and safeguarding context).
    case staff
    /// Reads the termly gap report only: aggregated figures, small groups suppressed.
    case governor

    public var description: String { rawValue }

    /// Parses a role as a person types it (`data-lead`, `Data lead`, `data_lead`).
    public init?(parsing text: String) {
        let key = text.lowercased().filter { $0.isLetter }
        guard let role = Self.allCases.first(where: { $0.rawValue.filter(\.isLetter) == key }) else { return nil }
        self = role
    }

    /// Whether the role may do `action`.
    public func allows(_ action: APIAction) -> Bool {
        switch action {
        case .readReport, .readGroupReport:
            return true
        case .readTimeline, .readSupport, .recordSupport, .readPupilLists:
            return self != .governor
        case .recordAttendance, .recordAssessments, .exportStudent:
            return self == .admin || self == .dataLead
        case .readAudit:
            return self == .admin
        }
    }

    /// The PostgreSQL role a request with this token runs as.
    public var databaseRole: String {
        self == .governor ? "gaptrack_governor" : "gaptrack_service"
    }
}

/// The things a caller can ask the service to do, grouped as the roles see them.
public enum APIAction: String, Sendable, CaseIterable, CustomStringConvertible {
    case readReport = "read the termly gap report"
    case readTimeline = "read a student's timeline"
    case readSupport = "read interventions and support records"
    case recordSupport = "record interventions and support"
    case recordAttendance = "record attendance marks"
    case recordAssessments = "record assessment results"
    case readAudit = "read the audit log"
    case exportStudent = "export everything held on a student"
    case readPupilLists = "list the pupils behind a report's figures (staff only; governors read the termly report)"
    /// Any role of a group token (sql/015_provider_groups.sql); a provider token has no group.
    case readGroupReport = "read the group report comparing a trust's or local authority's schools"

    public var description: String { rawValue }
}
