import CSVFormat
import Foundation
import GapTrackDomain
import Postgres

/// One row of a pupil premium strategy statement (sql/011_pupil_premium.sql): a challenge, an
/// intended outcome, or an activity in one EEF tier (docs/methodology.md §6.5).
public struct PupilPremiumStatementRow: Sendable, Equatable, Codable {
    public enum Section: String, Sendable, Equatable, Codable, CaseIterable {
        case challenge
        case intendedOutcome = "intended_outcome"
        case activity
    }

    public var section: Section
    /// Numbered within its section, as the template numbers challenges.
    public var number: Int
    public var text: String
    /// Activities only.
    public var tier: PupilPremiumTier?
    public var evidence: String?
    /// The challenge numbers an activity addresses.
    public var challenges: [Int]
    /// An activity bought from outside the school: who provides the programme.
    public var externalProvider: String?
    /// Intended outcomes only.
    public var successCriteria: String?

    public init(
        section: Section, number: Int, text: String, tier: PupilPremiumTier? = nil, evidence: String? = nil,
        challenges: [Int] = [], externalProvider: String? = nil, successCriteria: String? = nil
    ) {
        self.section = section
        self.number = number
        self.text = text
        self.tier = tier
        self.evidence = evidence
        self.challenges = challenges
        self.externalProvider = externalProvider
        self.successCriteria = successCriteria
    }
}

/// Pupils on roll at a census, by the ground each attracts pupil premium on (each once, at the
/// highest rate; sql/functions/pupil_premium.sql, docs/methodology.md §1.4).
public struct PupilPremiumCensusCounts: Sendable, Equatable, Codable {
    public var pupilsOnRoll: Int
    /// Of them, in reception to year 6.
    public var primaryOnRoll: Int
    public var fsmEver6Primary: Int
    public var fsmEver6Secondary: Int
    public var previouslyLookedAfter: Int
    public var lookedAfter: Int
    public var serviceChildren: Int

    public init(
        pupilsOnRoll: Int, primaryOnRoll: Int, fsmEver6Primary: Int, fsmEver6Secondary: Int, previouslyLookedAfter: Int, lookedAfter: Int,
        serviceChildren: Int
    ) {
        self.pupilsOnRoll = pupilsOnRoll
        self.primaryOnRoll = primaryOnRoll
        self.fsmEver6Primary = fsmEver6Primary
        self.fsmEver6Secondary = fsmEver6Secondary
        self.previouslyLookedAfter = previouslyLookedAfter
        self.lookedAfter = lookedAfter
        self.serviceChildren = serviceChildren
    }
}

/// Pupil premium spend of one tier in an academic year; `tier` nil for support types that have
/// no tier (a provider's own type it has not assigned).
public struct PupilPremiumTierSpend: Sendable, Equatable, Codable {
    public var tier: PupilPremiumTier?
    public var students: Int
    public var spend: PoundsAndPence
}

/// A support type's tier, and whether it is the documented default or the provider's own choice.
public struct PupilPremiumTierAssignment: Sendable, Equatable, Codable {
    public var type: String
    public var tier: PupilPremiumTier?
    public var isProvidersOwn: Bool
}

/// The pupil premium strategy a provider keeps: planned budgets by tier, the statement's rows,
/// each support type's tier, and the census counts and spend the review computes from.
public struct PupilPremiumStrategies {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Sets the planned budget of one tier for one academic year (replacing any earlier amount).
    public func setBudget(provider: Provider, year: AcademicYear, tier: PupilPremiumTier, amount: PoundsAndPence) throws {
        try connection.query(
            """
            INSERT INTO pupil_premium_budgets (provider_id, academic_year, tier, amount)
            VALUES ($1, $2, $3::pupil_premium_tier, $4::numeric)
            ON CONFLICT (provider_id, academic_year, tier) DO UPDATE
                SET amount = EXCLUDED.amount, updated_at = now()
                WHERE pupil_premium_budgets.amount IS DISTINCT FROM EXCLUDED.amount
            """,
            [try providerID(provider), year.description, tier.rawValue, amount.plainDecimal])
    }

    /// The planned budget by tier; tiers without a plan are absent.
    public func budgets(providerID: Int, year: AcademicYear) throws -> [PupilPremiumTier: PoundsAndPence] {
        var budgets: [PupilPremiumTier: PoundsAndPence] = [:]
        for row in try connection.query(
            "SELECT tier::text AS tier, round(amount * 100)::bigint AS pence FROM pupil_premium_budgets WHERE provider_id = $1 AND academic_year = $2",
            [providerID, year.description]
        ).rows {
            budgets[try Self.tier(row.decode("tier"))] = try PoundsAndPence(pence: row.decode("pence"))
        }
        return budgets
    }

    /// Stores one statement row, replacing the row of the same section and number.
    public func setRow(provider: Provider, year: AcademicYear, _ row: PupilPremiumStatementRow) throws {
        try connection.query(
            """
            INSERT INTO pupil_premium_statement_rows
                (provider_id, academic_year, section, number, text, tier, evidence, challenges, external_provider, success_criteria)
            VALUES ($1, $2, $3::pupil_premium_section, $4, $5, $6::pupil_premium_tier, $7, $8::integer[], $9, $10)
            ON CONFLICT (provider_id, academic_year, section, number) DO UPDATE
                SET text = EXCLUDED.text, tier = EXCLUDED.tier, evidence = EXCLUDED.evidence,
                    challenges = EXCLUDED.challenges, external_provider = EXCLUDED.external_provider,
                    success_criteria = EXCLUDED.success_criteria, updated_at = now()
                WHERE (pupil_premium_statement_rows.text, pupil_premium_statement_rows.tier, pupil_premium_statement_rows.evidence,
                       pupil_premium_statement_rows.challenges, pupil_premium_statement_rows.external_provider,
                       pupil_premium_statement_rows.success_criteria)
                      IS DISTINCT FROM (EXCLUDED.text, EXCLUDED.tier, EXCLUDED.evidence, EXCLUDED.challenges,
                                        EXCLUDED.external_provider, EXCLUDED.success_criteria)
            """,
            [try providerID(provider), year.description, row.section.rawValue, row.number, row.text, row.tier?.rawValue,
             row.evidence, "{" + row.challenges.map { "\($0)" }.joined(separator: ",") + "}", row.externalProvider, row.successCriteria])
    }

    /// The statement's rows for the year, by section then number.
    public func rows(providerID: Int, year: AcademicYear) throws -> [PupilPremiumStatementRow] {
        try connection.query(
            """
            SELECT section::text AS section, number, text, tier::text AS tier, evidence,
                   array_to_string(challenges, ',') AS challenges, external_provider, success_criteria
            FROM pupil_premium_statement_rows
            WHERE provider_id = $1 AND academic_year = $2
            ORDER BY section, number
            """,
            [providerID, year.description]
        ).rows.map { row in
            let sectionText: String = try row.decode("section")
            guard let section = PupilPremiumStatementRow.Section(rawValue: sectionText) else {
                throw PostgresError.malformedValue(column: "section", value: sectionText, swiftType: "PupilPremiumStatementRow.Section")
            }
            let challenges: String = try row.decode("challenges")
            return PupilPremiumStatementRow(
                section: section, number: try row.decode("number"), text: try row.decode("text"),
                tier: try (row.decode("tier") as String?).map(Self.tier), evidence: try row.decode("evidence"),
                challenges: challenges.split(separator: ",").compactMap { Int($0) },
                externalProvider: try row.decode("external_provider"), successCriteria: try row.decode("success_criteria"))
        }
    }

    /// Assigns a support type to a tier for this provider, overriding the default.
    public func assignTier(provider: Provider, type: String, tier: PupilPremiumTier) throws {
        guard try !connection.query("SELECT 1 FROM intervention_types WHERE type = $1", [type]).rows.isEmpty else {
            let known = try connection.query("SELECT type FROM intervention_types ORDER BY type").rows.map { try $0.decode("type") as String }
            throw PupilPremiumError.unknownSupportType(type, known: known)
        }
        try connection.query(
            """
            INSERT INTO pupil_premium_tier_assignments (provider_id, type, tier) VALUES ($1, $2, $3::pupil_premium_tier)
            ON CONFLICT (provider_id, type) DO UPDATE SET tier = EXCLUDED.tier
                WHERE pupil_premium_tier_assignments.tier IS DISTINCT FROM EXCLUDED.tier
            """,
            [try providerID(provider), type, tier.rawValue])
    }

    /// Every support type with the tier its pupil premium spend counts in for this provider.
    public func tierAssignments(providerID: Int) throws -> [PupilPremiumTierAssignment] {
        try connection.query(
            """
            SELECT it.type, coalesce(pa.tier, pd.tier)::text AS tier, pa.tier IS NOT NULL AS own
            FROM intervention_types it
            LEFT JOIN pupil_premium_tier_assignments pa ON pa.type = it.type AND pa.provider_id = $1
            LEFT JOIN pupil_premium_tier_defaults pd ON pd.type = it.type
            ORDER BY it.type
            """,
            [providerID]
        ).rows.map { row in
            PupilPremiumTierAssignment(
                type: try row.decode("type"), tier: try (row.decode("tier") as String?).map(Self.tier), isProvidersOwn: try row.decode("own"))
        }
    }

    /// The spring (January) census day of an academic year (`census_days`, docs/methodology.md §7.3).
    public func januaryCensus(of year: AcademicYear) throws -> CalendarDate {
        let text: String = try connection.query(
            "SELECT census_date::text AS census_date FROM census_days WHERE academic_year = $1 AND collection = 'spring'",
            [year.description]
        ).single().decode("census_date")
        return try CalendarDate(parsing: text)
    }

    /// Pupils on roll on `census` by pupil premium ground.
    public func censusCounts(providerID: Int, census: CalendarDate) throws -> PupilPremiumCensusCounts {
        let row = try connection.query("SELECT * FROM pupil_premium_census_counts($1, $2::date)", [providerID, census.isoString]).single()
        return PupilPremiumCensusCounts(
            pupilsOnRoll: try row.decode("pupils_on_roll"), primaryOnRoll: try row.decode("primary_on_roll"), fsmEver6Primary: try row.decode("fsm_ever6_primary"),
            fsmEver6Secondary: try row.decode("fsm_ever6_secondary"), previouslyLookedAfter: try row.decode("previously_looked_after"),
            lookedAfter: try row.decode("looked_after"), serviceChildren: try row.decode("service_child"))
    }

    /// Pupil premium spend in the academic year by tier.
    public func spendByTier(providerID: Int, year: AcademicYear) throws -> [PupilPremiumTierSpend] {
        try connection.query("SELECT * FROM pupil_premium_spend_by_tier($1, $2)", [providerID, year.description]).rows.map { row in
            PupilPremiumTierSpend(
                tier: try (row.decode("tier") as String?).map(Self.tier), students: try row.decode("students"),
                spend: try PoundsAndPence(pence: row.decode("spend_pence")))
        }
    }

    /// Reads a plan file (docs/import-formats.md, "Pupil premium plan") and stores it in one
    /// transaction: every row or none. Storing the same file again changes nothing.
    @discardableResult
    public func importPlan(provider: Provider, file: URL) throws -> PupilPremiumPlanFile {
        let plan = try PupilPremiumPlanFile(file: file)
        try connection.transaction { _ in
            for budget in plan.budgets { try setBudget(provider: provider, year: budget.year, tier: budget.tier, amount: budget.amount) }
            for row in plan.rows { try setRow(provider: provider, year: row.year, row.row) }
        }
        return plan
    }

    private func providerID(_ provider: Provider) throws -> Int {
        guard let id = provider.id else { throw PupilPremiumError.providerNotStored(provider.code) }
        return id
    }

    static func tier(_ text: String) throws -> PupilPremiumTier {
        guard let tier = PupilPremiumTier(rawValue: text) else {
            throw PostgresError.malformedValue(column: "tier", value: text, swiftType: "PupilPremiumTier")
        }
        return tier
    }
}

/// A pupil premium plan file read into checked values: budgets by tier and statement rows, each
/// for an academic year. Columns (docs/import-formats.md, "Pupil premium plan"):
/// `year, section, number, tier, text, evidence, challenges, external_provider, success_criteria, amount`.
/// `section` is `budget` (tier and amount), `challenge`, `intended_outcome` or `activity`.
public struct PupilPremiumPlanFile: Sendable, Equatable {
    public struct Budget: Sendable, Equatable {
        public var year: AcademicYear
        public var tier: PupilPremiumTier
        public var amount: PoundsAndPence
    }

    public struct Row: Sendable, Equatable {
        public var year: AcademicYear
        public var row: PupilPremiumStatementRow
    }

    public var budgets: [Budget] = []
    public var rows: [Row] = []

    public static let columns = ["year", "section", "number", "tier", "text", "evidence", "challenges", "external_provider", "success_criteria", "amount"]

    public init(file: URL) throws {
        let name = file.lastPathComponent
        let records: [CSVRow]
        do {
            records = try CSVReader(path: file.path).readAll()
        } catch {
            throw PupilPremiumError.unreadable(file: name, reason: "\(error)")
        }
        guard let headerRow = records.first else { throw PupilPremiumError.emptyFile(file: name) }
        let header = try CSVHeader(names: headerRow.fields, lineNumber: headerRow.lineNumber)
        let missing = ["year", "section", "tier", "amount", "number", "text"].filter { !header.contains($0) }
        guard missing.isEmpty else { throw PupilPremiumError.missingColumns(file: name, missing) }
        guard records.count > 1 else { throw PupilPremiumError.emptyFile(file: name) }
        var seen = Set<String>()
        for csv in records.dropFirst() {
            let record = CSVRecord(lineNumber: csv.lineNumber, fields: csv.fields, header: header)
            func value(_ column: String) -> String? {
                let text = (record[column] ?? "").trimmingCharacters(in: .whitespaces)
                return text.isEmpty ? nil : text
            }
            func bad(_ column: String, _ expected: String) -> PupilPremiumError {
                .invalid(file: name, line: record.lineNumber, column: column, value: record[column] ?? "", expected: expected)
            }
            guard let yearText = value("year"), let year = try? AcademicYear(parsing: yearText) else {
                throw bad("year", "an academic year such as 2024/25")
            }
            let sectionText = value("section") ?? ""
            let tier = try value("tier").map { text throws(PupilPremiumError) in
                guard let tier = try? PupilPremiumTier(parsing: text) else { throw bad("tier", PupilPremiumTier.allCases.map(\.code).joined(separator: ", ")) }
                return tier
            }
            if sectionText == "budget" {
                guard let tier else { throw bad("tier", "the budget's tier: " + PupilPremiumTier.allCases.map(\.code).joined(separator: ", ")) }
                guard let amountText = value("amount"), let amount = try? PoundsAndPence(parsing: amountText) else {
                    throw bad("amount", "pounds and pence, e.g. 42000.00")
                }
                guard seen.insert("budget \(year) \(tier)").inserted else { throw bad("tier", "one budget row per year and tier") }
                budgets.append(Budget(year: year, tier: tier, amount: amount))
                continue
            }
            guard let section = PupilPremiumStatementRow.Section(rawValue: sectionText) else {
                throw bad("section", "budget, challenge, intended_outcome or activity")
            }
            guard let numberText = value("number"), let number = Int(numberText), (1...999).contains(number) else {
                throw bad("number", "a whole number from 1 to 999")
            }
            guard let text = value("text") else { throw bad("text", "the row's text") }
            if section == .activity, tier == nil { throw bad("tier", "the activity's tier: " + PupilPremiumTier.allCases.map(\.code).joined(separator: ", ")) }
            if section != .activity, tier != nil { throw bad("tier", "no tier: only activities and budgets have one") }
            var challenges: [Int] = []
            for part in (value("challenges") ?? "").split(whereSeparator: { $0 == ";" || $0 == " " }) {
                guard let challenge = Int(part), (1...999).contains(challenge) else { throw bad("challenges", "challenge numbers separated by ';', e.g. 1;3") }
                challenges.append(challenge)
            }
            if section != .activity, !challenges.isEmpty || value("evidence") != nil || value("external_provider") != nil {
                throw bad(!challenges.isEmpty ? "challenges" : value("evidence") != nil ? "evidence" : "external_provider", "empty: only activities have it")
            }
            if section != .intendedOutcome, value("success_criteria") != nil { throw bad("success_criteria", "empty: only intended outcomes have it") }
            guard seen.insert("\(section.rawValue) \(year) \(number)").inserted else { throw bad("number", "a number not used before in this section and year") }
            rows.append(Row(year: year, row: PupilPremiumStatementRow(
                section: section, number: number, text: text, tier: tier, evidence: value("evidence"), challenges: challenges,
                externalProvider: value("external_provider"), successCriteria: value("success_criteria"))))
        }
    }
}

/// Why a pupil premium plan could not be stored, in words a data lead can act on.
public enum PupilPremiumError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case emptyFile(file: String)
    case missingColumns(file: String, [String])
    case invalid(file: String, line: Int, column: String, value: String, expected: String)
    case unknownSupportType(String, known: [String])
    case providerNotStored(String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): "\(file): cannot be read as CSV: \(reason)"
        case .emptyFile(let file): "\(file): nothing to import (a header row and at least one row are needed)"
        case .missingColumns(let file, let missing):
            "\(file): missing column(s) \(missing.joined(separator: ", ")); the columns are \(PupilPremiumPlanFile.columns.joined(separator: ", "))"
        case .invalid(let file, let line, let column, let value, let expected):
            "\(file), line \(line), column \(column): '\(value)' is not valid; expected \(expected). Nothing was stored."
        case .unknownSupportType(let type, let known):
            "'\(type)' is not a support type; the types are \(known.joined(separator: ", "))"
        case .providerNotStored(let code): "provider \(code) has no id: look it up with Providers.require first"
        }
    }
}
