import GapStatistics

// JSON for suppressed and shown figures.
//
// GapStatistics keeps `ReportedFigure` free of any encoding, so the report supplies one here. A
// shown figure encodes as its value; a suppressed one as an object that carries the DfE mark `c`
// and the reason, never the withheld number:
//     {"suppressed": "c", "reason": "belowThreshold", "threshold": 10, "text": "fewer than 10 students"}
// If GapStatistics ever makes `ReportedFigure` Codable itself, delete this file.

private enum SuppressedKeys: String, CodingKey {
    case suppressed, reason, threshold, group, text
}

extension ReportedFigure: Encodable where Value: Encodable {
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case let .value(value):
            try value.encode(to: encoder)
        case let .suppressed(reason):
            var container = encoder.container(keyedBy: SuppressedKeys.self)
            try container.encode(Self.suppressionMark, forKey: .suppressed)
            try container.encode(reason.description, forKey: .text)
            switch reason {
            case let .belowThreshold(threshold):
                try container.encode("belowThreshold", forKey: .reason)
                try container.encode(threshold, forKey: .threshold)
            case let .groupBelowThreshold(group, threshold):
                try container.encode("groupBelowThreshold", forKey: .reason)
                try container.encode(threshold, forKey: .threshold)
                try container.encode(group, forKey: .group)
            case .protectsSuppressedCell:
                try container.encode("protectsSuppressedCell", forKey: .reason)
            }
        }
    }
}

extension ReportedFigure: Decodable where Value: Decodable {
    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: SuppressedKeys.self), container.contains(.suppressed) {
            let reason = try container.decode(String.self, forKey: .reason)
            switch reason {
            case "belowThreshold":
                self = .suppressed(.belowThreshold(threshold: try container.decode(Int.self, forKey: .threshold)))
            case "groupBelowThreshold":
                self = .suppressed(.groupBelowThreshold(
                    group: try container.decode(String.self, forKey: .group),
                    threshold: try container.decode(Int.self, forKey: .threshold)))
            case "protectsSuppressedCell":
                self = .suppressed(.protectsSuppressedCell)
            default:
                throw DecodingError.dataCorruptedError(
                    forKey: .reason, in: container,
                    debugDescription: "unknown suppression reason '\(reason)'; expected belowThreshold, groupBelowThreshold or protectsSuppressedCell")
            }
        } else {
            self = .value(try Value(from: decoder))
        }
    }
}
