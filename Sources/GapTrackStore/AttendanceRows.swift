import GapTrackDomain

/// The valid marks of an attendance file, packed for sorting: one 64-bit key per mark,
/// (term, student, day in term, session, row ordinal) from the high bits down, so that sorting
/// the keys puts each term's marks together in primary-key order, and two marks for the same
/// session sit side by side. Codes and line numbers live in arrays indexed by the ordinal.
struct AttendanceRows {
    /// Academic years the database holds terms for (the baseline seeds `terms` for 2010/11 to 2040/41).
    static let firstYear = 2010
    static let termCount = (2040 - 2010 + 1) * 3
    static let termBits = 7
    static let dayBits = 8 // the longest term (autumn, 1 August to 31 December) has 153 days
    let studentBits: Int
    let ordinalBits: Int

    private(set) var keys: [UInt64] = []
    private(set) var codes: [UInt8] = []
    private(set) var lines: [Int32] = []

    init(studentCount: Int, expectedRows: Int) throws(ImportError) {
        var bits = 1
        while (1 << bits) < max(studentCount, 1) { bits += 1 }
        studentBits = bits
        ordinalBits = 64 - Self.termBits - bits - Self.dayBits - 1
        guard ordinalBits >= 20 else {
            throw ImportError.notForProvider("this provider has too many students (\(studentCount)) for one attendance import")
        }
        keys.reserveCapacity(expectedRows)
        codes.reserveCapacity(expectedRows)
        lines.reserveCapacity(expectedRows)
    }

    var count: Int { keys.count }
    var maximumRows: Int { (1 << ordinalBits) - 1 }

    @inline(__always)
    mutating func append(term: Int, studentRank: Int, dayInTerm: Int, isAfternoon: Bool, code: UInt8, line: Int) {
        let ordinal = UInt64(keys.count)
        var key = UInt64(term)
        key = key << UInt64(studentBits) | UInt64(studentRank)
        key = key << UInt64(Self.dayBits) | UInt64(dayInTerm)
        key = key << 1 | (isAfternoon ? 1 : 0)
        key = key << UInt64(ordinalBits) | ordinal
        keys.append(key)
        codes.append(code)
        lines.append(Int32(truncatingIfNeeded: line))
    }

    /// Sorts the keys: a least-significant-digit radix sort over the bits above the ordinal
    /// (the ordinals are unique, so equal sessions stay in file order). Three or four passes
    /// over the array instead of a comparison sort's twenty.
    mutating func sort() {
        let significantBits = 64 - ordinalBits
        let digitBits = 11
        let passes = (significantBits + digitBits - 1) / digitBits
        var source = keys
        var target = [UInt64](repeating: 0, count: keys.count)
        var counts = [Int](repeating: 0, count: 1 << digitBits)
        for pass in 0..<passes {
            let shift = UInt64(ordinalBits + pass * digitBits)
            let mask = UInt64((1 << digitBits) - 1)
            for index in counts.indices { counts[index] = 0 }
            source.withUnsafeBufferPointer { from in
                counts.withUnsafeMutableBufferPointer { counts in
                    for key in from { counts[Int((key >> shift) & mask)] += 1 }
                    var total = 0
                    for index in counts.indices {
                        let count = counts[index]
                        counts[index] = total
                        total += count
                    }
                    target.withUnsafeMutableBufferPointer { to in
                        for key in from {
                            let digit = Int((key >> shift) & mask)
                            to[counts[digit]] = key
                            counts[digit] += 1
                        }
                    }
                }
            }
            swap(&source, &target)
        }
        keys = source
    }

    /// The session part of a key (everything but the ordinal): equal for two marks of one session.
    @inline(__always)
    func session(of key: UInt64) -> UInt64 { key >> UInt64(ordinalBits) }

    @inline(__always)
    func decode(_ key: UInt64) -> (term: Int, studentRank: Int, dayInTerm: Int, isAfternoon: Bool, ordinal: Int) {
        let ordinal = Int(key & ((1 << UInt64(ordinalBits)) - 1))
        var rest = key >> UInt64(ordinalBits)
        let afternoon = rest & 1 == 1
        rest >>= 1
        let day = Int(rest & ((1 << UInt64(Self.dayBits)) - 1))
        rest >>= UInt64(Self.dayBits)
        let student = Int(rest & ((1 << UInt64(studentBits)) - 1))
        rest >>= UInt64(studentBits)
        return (Int(rest), student, day, afternoon, ordinal)
    }

    func code(at ordinal: Int) -> UInt8 { codes[ordinal] }
    func line(at ordinal: Int) -> Int { Int(lines[ordinal]) }

    /// Removes the marks whose ordinal is in `dropped` (keys must be sorted).
    mutating func remove(ordinals dropped: Set<Int>) {
        guard !dropped.isEmpty else { return }
        let mask = (UInt64(1) << UInt64(ordinalBits)) - 1
        keys.removeAll { dropped.contains(Int($0 & mask)) }
    }
}

/// A reporting term as the attendance import numbers it: 0 is autumn 2010/11.
struct AttendanceTerm: Hashable {
    let index: Int

    var academicYear: AcademicYear { AcademicYear(startYear: AttendanceRows.firstYear + index / 3) }
    var term: Term { Term.allCases[index % 3] }
    var academicTerm: AcademicTerm { AcademicTerm(year: academicYear, term: term) }
    /// Days since 1970-01-01 of the term's first day.
    var firstDay: Int { academicTerm.startDate.daysSinceEpoch }

    /// The term containing a day, or nil outside the years the database holds.
    static func containing(daysSinceEpoch day: Int) -> (term: AttendanceTerm, dayInTerm: Int)? {
        let date = CalendarDate(daysSinceEpoch: day)
        let term = AcademicTerm(containing: date)
        let index = (term.year.startYear - AttendanceRows.firstYear) * 3 + term.term.ordinal
        guard index >= 0, index < AttendanceRows.termCount else { return nil }
        return (AttendanceTerm(index: index), day - term.startDate.daysSinceEpoch)
    }
}

/// Register codes by their position in `AttendanceCode.allCases`, read straight from bytes.
enum AttendanceCodeTable {
    static let codes = AttendanceCode.allCases
    /// The database label of each code (the enum's raw value).
    static let labels: [[UInt8]] = codes.map { Array($0.rawValue.utf8) }
    /// For a code withdrawn from day D (days since 1970), D; else Int.max.
    static let withdrawnFromDay: [Int] = codes.map { $0.withdrawnFrom?.daysSinceEpoch ?? Int.max }

    /// Index of a one- or two-byte code (letters in either case), or nil.
    @inline(__always)
    static func index(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt8? {
        switch bytes.count {
        case 1: return single[Int(bytes[0])]
        case 2:
            let first = bytes[0] & 0xDF // upper case
            let second = bytes[1]
            for (offset, label) in labels.enumerated() where label.count == 2 && label[0] == first && label[1] == second {
                return UInt8(offset)
            }
            return nil
        default: return nil
        }
    }

    private static let single: [UInt8?] = {
        var table = [UInt8?](repeating: nil, count: 256)
        for (offset, label) in labels.enumerated() where label.count == 1 {
            table[Int(label[0])] = UInt8(offset)
            let byte = label[0]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { table[Int(byte | 0x20)] = UInt8(offset) }
        }
        return table
    }()
}
