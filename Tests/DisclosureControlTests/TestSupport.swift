@testable import DisclosureControl
import struct GapStatistics.SplitMix64
import Testing

/// A seeded generator (GapStatistics' SplitMix64), so a failing random case can be rebuilt from
/// its seed.
typealias SplitMix = SplitMix64

extension SplitMix64 {
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
}

extension TableSet {
    /// Marks figures as shown `c`, for hand-made suppression patterns.
    mutating func suppress(_ ids: CellID...) {
        for id in ids { #expect(setVisibility(.suppressed, of: id), "no figure \(id)") }
    }

    func isPublished(_ id: CellID) -> Bool { self[id]?.visibility == .published }
}

/// Every whole-number assignment to the hidden figures (each 0...bound) that satisfies every
/// relation and known maximum: the integer attacker, for checking the linear program.
func bruteForceIntervals(_ tables: TableSet, bound: Int) -> [CellID: ClosedRange<Int>] {
    let hidden = tables.cells.filter { $0.visibility != .published }
    var values = Dictionary(uniqueKeysWithValues: tables.cells.map { ($0.id, $0.value) })
    var lowest: [CellID: Int] = [:]
    var highest: [CellID: Int] = [:]
    func visit(_ index: Int) {
        if index == hidden.count {
            guard tables.relations.allSatisfy({ $0.holds(for: values) }) else { return }
            for cell in hidden {
                let v = values[cell.id]!
                lowest[cell.id] = min(lowest[cell.id] ?? v, v)
                highest[cell.id] = max(highest[cell.id] ?? v, v)
            }
            return
        }
        let cell = hidden[index]
        for v in 0...min(bound, cell.knownMaximum ?? bound) {
            values[cell.id] = v
            visit(index + 1)
        }
    }
    visit(0)
    var result: [CellID: ClosedRange<Int>] = [:]
    for cell in hidden { result[cell.id] = lowest[cell.id]!...highest[cell.id]! }
    return result
}

/// A rows × columns table of counts with both margins and a grand total: inner figures
/// "r{row}c{column}", margins "r{row}" and "c{column}", grand total "all"; values drawn by `value`.
func randomTwoWayTable(rows: Int, columns: Int, using random: inout SplitMix, value: (inout SplitMix) -> Int) throws -> TableSet {
    var t = TableSet()
    var inner: [[CellID?]] = []
    var rowSums = [Int](repeating: 0, count: rows), columnSums = [Int](repeating: 0, count: columns)
    for r in 0..<rows {
        var row: [CellID?] = []
        for c in 0..<columns {
            let v = value(&random)
            let id = CellID("r\(r)c\(c)")
            try t.count(id, "Row \(r + 1), column \(c + 1)", v)
            row.append(id)
            rowSums[r] += v
            columnSums[c] += v
        }
        inner.append(row)
    }
    for r in 0..<rows { try t.count(CellID("r\(r)"), "Row \(r + 1)", rowSums[r], isTotal: true) }
    for c in 0..<columns { try t.count(CellID("c\(c)"), "Column \(c + 1)", columnSums[c], isTotal: true) }
    try t.count("all", "All", rowSums.reduce(0, +), isTotal: true)
    try t.twoWayTable(
        inner: inner, rowTotals: (0..<rows).map { CellID("r\($0)") }, columnTotals: (0..<columns).map { CellID("c\($0)") }, grandTotal: "all"
    )
    return t
}
