import Crypto
import Foundation

/// SHA-256 (FIPS 180-4, "Secure Hash Standard"), for the checksum of every imported file in the
/// import ledger.
///
/// Why swift-crypto: on Linux it is BoringSSL's SHA-256 with its assembly (SHA extensions or
/// AVX2 where the processor has them), already in the dependency graph through Hummingbird; hashing
/// is otherwise a large share of the attendance import's client work (BENCHMARKS.md). Asking PostgreSQL's built-in `sha256()` instead would mean sending
/// every file to the server a second time. The tests check it against the FIPS 180-2 example
/// vectors and against the server's `sha256()`.
public struct SHA256: Sendable {
    private var hasher = Crypto.SHA256()

    public init() {}

    /// Adds bytes to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
    }

    /// Adds bytes to the message.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    }

    /// The digest as 64 lower-case hex digits. The hasher is finished afterwards.
    public mutating func finalizeHex() -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in hasher.finalize() {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// The SHA-256 of a whole file, read in 1 MiB chunks.
    public static func hexDigest(ofFileAt url: URL) throws -> (hex: String, bytes: Int64) {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        var total: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            total += Int64(chunk.count)
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return (hasher.finalizeHex(), total)
    }

    public static func hexDigest(of bytes: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }
}
