import Crypto
import Foundation

/// Stable pseudonyms within one research export, unlinkable across exports
/// (docs/data-protection.md §6): HMAC-SHA-256 of the internal student id under a random 256-bit
/// key made for this export and never stored or printed. The same student has the same pseudonym
/// in every file of one export; two exports use two keys, so their pseudonyms cannot be matched,
/// and without the key a pseudonym cannot be turned back into an id (the ids are few enough to
/// try them all, which is why a plain hash would not do).
public struct Pseudonymiser: Sendable {
    private let key: SymmetricKey

    /// A fresh random key: the normal case.
    public init() {
        key = SymmetricKey(size: .bits256)
    }

    /// A given key, for tests that need to know the answer.
    public init(key: [UInt8]) {
        self.key = SymmetricKey(data: key)
    }

    /// "S" and the first 80 bits of the HMAC in hex: short enough to read, long enough that two
    /// students of one export share one with a chance of about n² / 2⁸¹.
    public func pseudonym(for studentID: Int) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("gaptrack student \(studentID)".utf8), using: key)
        return "S" + mac.prefix(10).map { String(format: "%02x", $0) }.joined()
    }
}
