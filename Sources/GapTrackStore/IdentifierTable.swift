/// Student identifiers to ranks, looked up straight from a field's bytes.
///
/// An attendance file names a student on every row, and a `Dictionary<String, _>` lookup costs
/// a `String` and a SipHash per row. Identifiers of up to 16 bytes (UPNs have 13, ULNs 10, HUSIDs
/// 13) are packed into two words and found in an open-addressing table with a multiplicative
/// hash; longer ones (rare institution numbers) fall back to a dictionary. Lookups are exact: a
/// caller that wants case-insensitive UPNs tries again with the bytes upper-cased.
struct IdentifierTable {
    private struct Slot {
        var low: UInt64
        var high: UInt64
        var length: Int32
        var rank: Int32 // -2 marks an empty slot
    }

    private var slots: [Slot]
    private let mask: Int
    private var long: [String: Int32] = [:]

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: Slot(low: 0, high: 0, length: 0, rank: -2), count: size)
        mask = size - 1
    }

    /// Adds an identifier; one that two students share maps to -1 (unusable).
    mutating func insert(_ identifier: String, rank: Int32) {
        let bytes = Array(identifier.utf8)
        guard bytes.count <= 16 else {
            long[identifier] = long[identifier].map { $0 == rank ? rank : -1 } ?? rank
            return
        }
        let (low, high) = bytes.withUnsafeBufferPointer { Self.pack($0) }
        var index = Self.hash(low, high, bytes.count) & mask
        while slots[index].rank != -2 {
            if slots[index].low == low && slots[index].high == high && slots[index].length == Int32(bytes.count) {
                if slots[index].rank != rank { slots[index].rank = -1 }
                return
            }
            index = (index + 1) & mask
        }
        slots[index] = Slot(low: low, high: high, length: Int32(bytes.count), rank: rank)
    }

    /// The rank, -1 for an identifier two students share, or nil when unknown.
    @inline(__always)
    func rank(of bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard bytes.count <= 16 else { return long[String(decoding: bytes, as: UTF8.self)] }
        let (low, high) = Self.pack(bytes)
        var index = Self.hash(low, high, bytes.count) & mask
        while true {
            let slot = slots[index]
            if slot.rank == -2 { return nil }
            if slot.low == low && slot.high == high && slot.length == Int32(bytes.count) { return slot.rank }
            index = (index + 1) & mask
        }
    }

    @inline(__always)
    private static func pack(_ bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        var low: UInt64 = 0
        var high: UInt64 = 0
        for index in 0..<bytes.count {
            if index < 8 {
                low |= UInt64(bytes[index]) << UInt64(index * 8)
            } else {
                high |= UInt64(bytes[index]) << UInt64((index - 8) * 8)
            }
        }
        return (low, high)
    }

    @inline(__always)
    private static func hash(_ low: UInt64, _ high: UInt64, _ length: Int) -> Int {
        var h = low &* 0x9E37_79B9_7F4A_7C15
        h ^= (high &+ UInt64(length)) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= h >> 29
        return Int(truncatingIfNeeded: h)
    }
}
