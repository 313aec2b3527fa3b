import Foundation

/// Runs blocking work (starting servers, waiting on them) on a thread of its own, so that it never
/// holds one of the test process's cooperative threads, on which in-process services answer.
public enum BlockingWork {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
