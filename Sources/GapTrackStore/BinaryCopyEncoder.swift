import Postgres

/// Builds COPY data in PostgreSQL's binary format (PostgreSQL manual, COPY, "Binary Format"):
/// an 11-byte signature, flags and header-extension length, then per row a 16-bit field count
/// and each field as a 32-bit length and its bytes in the type's binary form (network byte
/// order), ending with a field count of -1. Binary COPY saves the server from parsing text
/// dates and numbers, which is most of what a narrow row costs it.
///
/// Values are stored straight into a fixed buffer (a few nanoseconds a field); the buffer is
/// handed to the COPY whenever it fills.
struct BinaryCopyEncoder: ~Copyable {
    private let storage: UnsafeMutableRawPointer
    private let capacity: Int
    private var count = 0

    /// Days from 1970-01-01 to 2000-01-01, PostgreSQL's date epoch.
    static let postgresEpochOffset = 10_957
    /// The most one row may take; a row larger than this is not supported.
    private static let rowReserve = 4096

    init(bufferSize: Int = 1 << 20) {
        capacity = max(bufferSize, Self.rowReserve * 2)
        storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        for byte in Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] { put(UInt8(byte)) }
        put(Int32(0).bigEndian) // flags
        put(Int32(0).bigEndian) // header extension length
    }

    deinit {
        storage.deallocate()
    }

    @inline(__always)
    private mutating func put<T: FixedWidthInteger>(_ value: T) {
        storage.storeBytes(of: value, toByteOffset: count, as: T.self)
        count += MemoryLayout<T>.size
    }

    @inline(__always)
    mutating func beginRow(fieldCount: Int16) {
        put(fieldCount.bigEndian)
    }

    @inline(__always)
    mutating func int64(_ value: Int64) {
        put(Int32(8).bigEndian)
        put(value.bigEndian)
    }

    @inline(__always)
    mutating func int32(_ value: Int32) {
        put(Int32(4).bigEndian)
        put(value.bigEndian)
    }

    /// A `date` from days since 1970-01-01.
    @inline(__always)
    mutating func date(daysSinceEpoch: Int) {
        int32(Int32(daysSinceEpoch - Self.postgresEpochOffset))
    }

    /// Text-like values (text, enum labels): their UTF-8 bytes (at most a few hundred).
    @inline(__always)
    mutating func text(_ utf8: [UInt8]) {
        put(Int32(utf8.count).bigEndian)
        utf8.withUnsafeBytes { source in
            (storage + count).copyMemory(from: source.baseAddress!, byteCount: source.count)
        }
        count += utf8.count
    }

    mutating func null() {
        put(Int32(-1).bigEndian)
    }

    /// Hands the buffered bytes to the COPY when the next row might not fit.
    @inline(__always)
    mutating func flushIfFull(_ writer: inout CopyWriter) throws(PostgresError) {
        if count > capacity - Self.rowReserve { try flush(&writer) }
    }

    mutating func flush(_ writer: inout CopyWriter) throws(PostgresError) {
        guard count > 0 else { return }
        try writer.write(UnsafeBufferPointer(start: storage.assumingMemoryBound(to: UInt8.self), count: count))
        count = 0
    }

    /// The trailer, then everything left.
    mutating func finish(_ writer: inout CopyWriter) throws(PostgresError) {
        put(Int16(-1).bigEndian)
        try flush(&writer)
    }
}
