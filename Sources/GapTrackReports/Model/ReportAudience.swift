/// Who a report is for, which decides how its true figures are shaped for publication
/// (docs/methodology.md §7.6).
///
/// - staff: the provider's own people, who act on individual pupils: every true figure, with
///   groups under the threshold shown and marked "fewer than 10 pupils: treat with care".
/// - governors: a board that holds the school to account from aggregates: primary suppression
///   under 10 and complementary suppression across every table of the report at once, audited.
/// - public: anything that may leave the provider (a website, a published statement): the
///   governors' shaping, and in addition no comparison with national figures for a gap that rests
///   on a group under 20, twice the threshold (docs/methodology.md §7.6).
public enum ReportAudience: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    case staff
    case governors
    case `public`

    /// Parses `--audience` and the stored value.
    public init(parsing text: String) throws(ReportAudienceError) {
        guard let audience = ReportAudience(rawValue: text.lowercased()) else { throw .unknown(text) }
        self = audience
    }

    /// Whether figures are suppressed for this audience (governors and public) or shown and
    /// marked (staff).
    public var suppresses: Bool { self != .staff }

    /// The header line every format prints.
    public func headerText(threshold: Int) -> String {
        switch self {
        case .staff:
            "Audience: staff. True figures for the provider's own use; a group of fewer than \(threshold) pupils is shown and marked "
                + "\(Self.cautionMark) (fewer than \(threshold) pupils: treat with care). Do not publish this report."
        case .governors:
            "Audience: governors. Figures from fewer than \(threshold) pupils, and figures that would let one be worked out from the "
                + "others, are shown as c (Social Mobility Commission anonymity threshold; DfE's 'c' mark); no pupil-level rows."
        case .public:
            "Audience: public. As for governors, and no national comparison for a gap resting on a group of fewer than "
                + "\(Self.publicNationalThreshold(threshold)) pupils; no pupil-level rows."
        }
    }

    /// The mark beside a staff figure from a group under the threshold.
    public static let cautionMark = "†"

    /// A row label with the mark in front, where no column width can cut it off.
    public static func marked(_ label: String) -> String { cautionMark + " " + label }

    /// The footnote of the mark.
    public static func cautionNote(threshold: Int) -> String {
        "\(cautionMark) fewer than \(threshold) pupils: treat with care."
    }

    /// Public reports compare a local gap with the national one only where both groups reach
    /// twice the threshold (docs/methodology.md §7.6).
    public static func publicNationalThreshold(_ threshold: Int) -> Int { 2 * threshold }
}

/// An audience that does not exist, named with the ones that do.
public enum ReportAudienceError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknown(String)

    public var description: String {
        switch self {
        case let .unknown(text):
            "'\(text)' is not an audience; use staff (true figures, small groups marked), governors or public (small groups suppressed)"
        }
    }
}
