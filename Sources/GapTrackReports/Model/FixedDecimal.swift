/// Number formatting that never depends on the locale, the platform or Foundation's version.
///
/// Reports must be byte-identical when made again from the same data (docs/methodology.md §7), so every
/// number is printed by this one routine: round half away from zero to a fixed number of
/// decimals, ASCII digits, "-" only for a nonzero result (never "-0.00"), no grouping.
public enum FixedDecimal {
    /// `value` rounded to `decimals` places, as a Double (the nearest binary value to the
    /// printed decimal, so JSON prints it with the same digits).
    public static func round(_ value: Double, decimals: Int) -> Double {
        guard value.isFinite else { return value }
        let scale = powerOfTen(decimals)
        let scaled = (value * scale).rounded(.toNearestOrAwayFromZero)
        return scaled == 0 ? 0 : scaled / scale
    }

    /// "3.92", "-0.10", "12"; "n/a" for NaN or infinity, which no shown figure should be.
    public static func format(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "n/a" }
        let scale = powerOfTen(decimals)
        let scaled = (value * scale).rounded(.toNearestOrAwayFromZero)
        guard abs(scaled) < 9.0e15 else { return String(value) }
        let units = Int64(scaled)
        let negative = units < 0
        let magnitude = negative ? -units : units
        let divisor = Int64(scale)
        var text = String(magnitude / divisor)
        if decimals > 0 {
            let fraction = String(magnitude % divisor)
            text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return negative ? "-" + text : text
    }

    /// A whole number with thousands separators, "12,345", for terminal and HTML tables.
    public static func grouped(_ value: Int) -> String {
        var digits = String(value.magnitude)
        var groups = [String]()
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        groups.insert(digits, at: 0)
        return (value < 0 ? "-" : "") + groups.joined(separator: ",")
    }

    private static func powerOfTen(_ decimals: Int) -> Double {
        precondition((0...9).contains(decimals), "between 0 and 9 decimals")
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return scale
    }
}
