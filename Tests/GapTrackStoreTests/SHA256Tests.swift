import Foundation
import GapTrackStore
import Postgres
import TestDatabase
import Testing

@Suite("SHA-256")
struct SHA256Tests {
    /// FIPS 180-2, appendix B: the one-block, two-block and million-'a' examples.
    @Test func matchesTheStandardsExamples() {
        #expect(SHA256.hexDigest(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hexDigest(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hexDigest(of: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        #expect(SHA256.hexDigest(of: []) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    /// Fed in uneven pieces, and compared with the server's sha256() for lengths around the
    /// 55/56/64-byte padding boundaries.
    @Test func agreesWithPostgreSQLWhateverThePieces() throws {
        try TestDatabase.withMigratedDatabase { connection in
            for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 4099] {
                let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
                var hasher = SHA256()
                var offset = 0
                var piece = 1
                while offset < bytes.count {
                    let end = min(bytes.count, offset + piece)
                    hasher.update(Array(bytes[offset..<end]))
                    offset = end
                    piece = piece * 3 + 1
                }
                let hex = bytes.map { String(format: "%02x", $0) }.joined()
                let server: String = try connection.query("SELECT encode(sha256(decode($1, 'hex')), 'hex') AS h", [hex]).single().decode("h")
                #expect(hasher.finalizeHex() == server, "length \(length)")
            }
        }
    }
}
