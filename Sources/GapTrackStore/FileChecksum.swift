import Dispatch
import Foundation
import Synchronization

/// The SHA-256 of a file, computed on another thread while the import reads the file, so that
/// the checksum costs (almost) no time of its own on a machine with a spare core.
final class FileChecksum: Sendable {
    private let outcome = Mutex<Result<(hex: String, bytes: Int64), any Error>?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    init(url: URL) {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            let result = Result { try SHA256.hexDigest(ofFileAt: url) }
            outcome.withLock { $0 = result }
            finished.signal()
        }
    }

    /// Waits for the checksum (once; later calls return the same result without waiting).
    func value() throws -> (hex: String, bytes: Int64) {
        if let done = outcome.withLock({ $0 }) { return try done.get() }
        finished.wait()
        return try outcome.withLock { $0 }!.get()
    }
}
