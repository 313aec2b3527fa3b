/// Which students of a cohort a report is about: `--filter gender=F --filter form=11B` (CLI) or
/// `?filter=gender=F&filter=form=11B` (the report routes), every condition at once (AND)
/// (docs/methodology.md §7.8).
///
/// Parsed once where the user types it. The same filter always has the same `code`, whatever
/// order or spelling it was typed in, so a filtered report is cached under its own key and never
/// answered from the unfiltered one.
public struct CohortFilter: Sendable, Hashable, Codable, CustomStringConvertible {
    /// SEN status on the census day: any SEN, SEN support (K), an EHC plan (E), or none.
    public enum SEN: String, Sendable, Hashable, Codable, CaseIterable {
        case any
        case support = "k"
        case ehcPlan = "e"
        case none

        var words: String {
            switch self {
            case .any: "with SEN"
            case .support: "on SEN support"
            case .ehcPlan: "with an EHC plan"
            case .none: "without SEN"
            }
        }
    }

    /// School census gender code (F, M, X, U).
    public var gender: String?
    public var sen: SEN?
    /// English as an additional language on the census day: true (EAL), false (not EAL).
    public var eal: Bool?
    /// A registration (form) group as the MIS names it; compared without regard to case.
    public var formGroup: String?
    /// Markers every student must hold on the census day (yes/no markers only), in raw-value order.
    public var markers: [DisadvantageMarkerKind] = []
    /// Codes of the provider's own pupil groups every student must be in, sorted.
    public var groups: [String] = []

    public init() {}

    /// No condition: the whole cohort.
    public static let none = CohortFilter()

    public var isEmpty: Bool { self == .none }

    /// Reads `key=value` conditions, as many as given.
    public init(parsing conditions: [String]) throws(CohortFilterError) {
        for condition in conditions { try add(parsing: condition) }
    }

    /// The markers a filter can name: those a student either holds or not (quintiles and the
    /// SMC group are values, not yes/no).
    public static let filterableMarkers: [DisadvantageMarkerKind] = DisadvantageMarkerKind.allCases.filter {
        ![.imdQuintile, .polar4Quintile, .smcParentalOccupation].contains($0)
    }

    /// Adds one `key=value` condition. A key that takes one value (gender, sen, eal, form) may be
    /// given again only with the same value; marker and group may be repeated.
    public mutating func add(parsing condition: String) throws(CohortFilterError) {
        let parts = condition.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw .notACondition(condition) }
        let key = parts[0].lowercased()
        let value = parts[1]
        func setOnce<Value: Equatable>(_ field: inout Value?, _ new: Value, _ name: String) throws(CohortFilterError) {
            if let old = field, old != new { throw .givenTwice(key: name) }
            field = new
        }
        switch key {
        case "gender", "sex":
            let code: String
            switch value.lowercased() {
            case "f", "female", "girls", "girl": code = "F"
            case "m", "male", "boys", "boy": code = "M"
            case "x": code = "X"
            case "u": code = "U"
            default: throw .badValue(key: key, value: value, expected: "F, M, X or U")
            }
            try setOnce(&gender, code, "gender")
        case "sen", "send":
            let status: SEN
            switch value.lowercased() {
            case "any", "yes", "y": status = .any
            case "k", "support", "sen-support": status = .support
            case "e", "ehcp", "ehc", "ehc-plan": status = .ehcPlan
            case "none", "no", "n": status = .none
            default: throw .badValue(key: key, value: value, expected: "any, k (SEN support), e (EHC plan) or none")
            }
            try setOnce(&sen, status, "sen")
        case "eal":
            let isEAL: Bool
            switch value.lowercased() {
            case "yes", "y", "true": isEAL = true
            case "no", "n", "false": isEAL = false
            default: throw .badValue(key: key, value: value, expected: "yes or no")
            }
            try setOnce(&eal, isEAL, "eal")
        case "form", "form-group", "form_group", "reg", "reg-group", "tutor-group":
            guard value.count <= 32 else { throw .badValue(key: key, value: value, expected: "a form group of up to 32 characters, e.g. 11B") }
            let folded = formGroup.map { $0.lowercased() == value.lowercased() ? $0 : value } ?? value
            try setOnce(&formGroup, folded, "form")
        case "marker":
            let marker: DisadvantageMarkerKind
            do { marker = try DisadvantageMarkerKind.parse(value) } catch {
                throw .badValue(key: key, value: value, expected: Self.filterableMarkers.map(\.rawValue).joined(separator: ", "))
            }
            guard Self.filterableMarkers.contains(marker) else {
                throw .badValue(key: key, value: value, expected: "a yes/no marker (\(Self.filterableMarkers.map(\.rawValue).joined(separator: ", "))); quintiles and SMC groups are report groups, not filters")
            }
            if !markers.contains(marker) { markers = (markers + [marker]).sorted { $0.rawValue < $1.rawValue } }
        case "group":
            let code = value.lowercased()
            guard PupilGroupCode.isValid(code) else {
                throw .badValue(key: key, value: value, expected: PupilGroupCode.expected)
            }
            if !groups.contains(code) { groups = (groups + [code]).sorted() }
        default:
            throw .unknownKey(key)
        }
    }

    /// The filter as the `key=value` conditions that give it back, one each.
    public var conditions: [String] {
        code.isEmpty ? [] : code.split(separator: ";").map(String.init)
    }

    /// The filter as one canonical text: `eal=yes;form=11B;gender=F;group=catch-up;marker=young_carer;sen=k`.
    /// Empty for no filter.
    public var code: String {
        var parts = [String]()
        if let eal { parts.append("eal=" + (eal ? "yes" : "no")) }
        if let formGroup { parts.append("form=" + formGroup) }
        if let gender { parts.append("gender=" + gender) }
        parts += groups.map { "group=" + $0 }
        parts += markers.map { "marker=" + $0.rawValue }
        if let sen { parts.append("sen=" + sen.rawValue) }
        return parts.joined(separator: ";")
    }

    /// In words, for a report's header: "girls, form 11B, young carer, in group 'catch-up'".
    public var description: String {
        var parts = [String]()
        if let gender {
            parts.append(["F": "girls", "M": "boys", "X": "gender X", "U": "gender unknown"][gender] ?? gender)
        }
        if let formGroup { parts.append("form \(formGroup)") }
        if let sen { parts.append(sen.words) }
        if let eal { parts.append(eal ? "EAL" : "not EAL") }
        parts += markers.map { String($0.rawValue.map { $0 == "_" ? " " : $0 }) }
        parts += groups.map { "in group '\($0)'" }
        return parts.isEmpty ? "everyone" : parts.joined(separator: ", ")
    }
}

public enum CohortFilterError: Error, Equatable, Sendable, CustomStringConvertible {
    case notACondition(String)
    case unknownKey(String)
    case badValue(key: String, value: String, expected: String)
    case givenTwice(key: String)

    public var description: String {
        switch self {
        case .notACondition(let text):
            return "filter '\(text.prefix(80))' is not a condition: write key=value, e.g. gender=F, sen=any, eal=yes, form=11B, marker=young-carer or group=catch-up"
        case .unknownKey(let key):
            return "filter '\(key.prefix(40))' is not one gaptrack knows: use gender, sen, eal, form, marker or group"
        case .badValue(let key, let value, let expected):
            return "filter \(key)='\(value.prefix(80))' is not valid: expected \(expected)"
        case .givenTwice(let key):
            return "filter \(key) is given twice with different values; a pupil has one \(key), so give it once (marker and group may be repeated)"
        }
    }
}

/// A provider's own pupil group code as users type it: lower case letters, digits, dots,
/// hyphens and underscores, starting with a letter or digit, up to 64 characters (as
/// sql/012_cohort_views.sql checks).
public enum PupilGroupCode {
    public static let expected = "a group code of letters, digits, dots, hyphens or underscores (e.g. catch-up-y7), up to 64 characters"

    public static func isValid(_ code: String) -> Bool {
        let scalars = Array(code.unicodeScalars)
        guard (1...64).contains(scalars.count), let first = scalars.first else { return false }
        func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) }
        return isLetterOrDigit(first) && scalars.allSatisfy { isLetterOrDigit($0) || "._-".unicodeScalars.contains($0) }
    }
}
