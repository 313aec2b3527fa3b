import Dispatch
import Foundation
import GapTrackStore
import Postgres
import Synchronization

/// A bounded pool of PostgreSQL connections that runs blocking libpq calls on threads of its own.
///
/// libpq blocks the calling thread for every round trip, so calling it on a SwiftNIO event loop
/// (or on Swift's cooperative thread pool) would stall every other request on that thread. Each
/// worker here is a dedicated thread that opens its own `PostgresConnection` and keeps it in a
/// local variable for its whole life: the connection never leaves that thread, so the compiler's
/// proof that a non-`Sendable` connection is used by one thread at a time stays intact, with no
/// `@unchecked Sendable` anywhere. Work arrives as `@Sendable` closures that receive the
/// connection as a parameter and return a `Sendable` result to the waiting task.
///
/// Bounded twice: `size` connections (and threads), and at most `maximumQueued` jobs waiting;
/// beyond that `run` fails at once with `.overloaded` (the service answers 503) instead of
/// letting a queue grow without limit under load.
///
/// A class because a pool has identity: its threads and connections exist once.
public final class DatabasePool: Sendable {
    public let size: Int
    public let maximumQueued: Int
    private let queue: JobQueue

    public struct Statistics: Sendable, Equatable {
        /// Jobs waiting for a free connection right now.
        public var waiting = 0
        /// Jobs running on a connection right now.
        public var busy = 0
        /// Jobs refused because the queue was full.
        public var refused = 0
        /// Connections re-opened after the server dropped one.
        public var reconnects = 0
    }

    /// Starts `size` worker threads, each of which connects with `conninfo` on its first job (so
    /// that the service starts even while PostgreSQL is still coming up; `/health` reports it).
    public init(conninfo: String, size: Int, maximumQueued: Int = 1024) {
        precondition(size > 0, "a pool needs at least one connection")
        self.size = size
        self.maximumQueued = maximumQueued
        self.queue = JobQueue()
        for index in 0..<size {
            let thread = Thread { [queue] in
                Self.work(queue: queue, conninfo: conninfo)
            }
            thread.name = "gaptrack-db-\(index)"
            thread.start()
        }
    }

    public var currentStatistics: Statistics { queue.statistics.withLock { $0 } }

    /// Runs `body` on a pooled connection and returns its result. The connection is handed over
    /// outside any transaction; `body` must leave it that way (use `transaction`).
    public func run<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            let job = PoolJob(
                run: { connection in
                    let outcome = Swift.Result { try body(connection) }
                    // The worker counts itself free before the caller resumes, so that a caller
                    // that sends its next request at once finds the connection available.
                    return (outcome.failure.map(Self.mayHaveBrokenTheConnection) != true, { continuation.resume(with: outcome) })
                },
                fail: { error in continuation.resume(throwing: error) })
            switch queue.push(job, limit: maximumQueued, workers: size) {
            case .queued: break
            case .full: continuation.resume(throwing: DatabasePoolError.overloaded(waiting: maximumQueued))
            case .closed: continuation.resume(throwing: DatabasePoolError.shutDown)
            }
        }
    }

    /// Lets queued and running jobs finish, then closes every connection and ends the threads.
    /// Jobs submitted afterwards fail with `.shutDown`.
    public func shutDown() async {
        let finished = queue.close(workers: size)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                for _ in 0..<finished.count { finished.semaphore.wait() }
                continuation.resume()
            }
        }
    }

    // MARK: - The worker threads

    private static func work(queue: JobQueue, conninfo: String) {
        var connection: PostgresConnection?
        while let job = queue.pop() {
            if connection == nil {
                do {
                    connection = try PostgresConnection(conninfo: conninfo)
                } catch {
                    queue.statistics.withLock { $0.busy -= 1 }
                    job.fail(DatabasePoolError.unavailable(error.description))
                    continue
                }
            }
            guard let open = connection else { continue }
            if open.isInTransaction {
                // A job left a transaction open (it should not); never hand that state on.
                ServiceDatabase.endOpenTransaction(open)
            }
            let (trusted, resume) = job.run(open)
            if !trusted, !ServiceDatabase.isResponsive(open) {
                // The server went away (restart, failover, idle timeout): the next job reconnects.
                connection = nil
                queue.statistics.withLock { $0.reconnects += 1 }
            }
            queue.statistics.withLock { $0.busy -= 1 }
            resume()
        }
        connection = nil
        queue.workerFinished()
    }

    /// A client-side failure, a connection exception (SQLSTATE class 08), an operator
    /// intervention such as the server shutting down or terminating the backend (57P01-57P03),
    /// or XX000, which is what the wrapper reports when libpq's own error ("server closed the
    /// connection unexpectedly") carries no SQLSTATE. A false alarm costs one round trip.
    static func mayHaveBrokenTheConnection(_ error: any Error) -> Bool {
        guard let failure = error as? PostgresError else { return false }
        if case .client = failure { return true }
        guard let state = failure.sqlState else { return false }
        return state.hasPrefix("08") || state.hasPrefix("57P") || state == "XX000"
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// Why the pool could not run a job.
public enum DatabasePoolError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Every connection is busy and the waiting line is full.
    case overloaded(waiting: Int)
    /// PostgreSQL could not be reached.
    case unavailable(String)
    /// The service is shutting down.
    case shutDown

    public var description: String {
        switch self {
        case .overloaded(let waiting):
            return "the service is busy (\(waiting) requests already waiting for the database); retry shortly"
        case .unavailable(let reason):
            return "the database is unavailable: \(reason)"
        case .shutDown:
            return "the service is shutting down"
        }
    }
}

/// One unit of work for a worker thread. `run` does the work and returns whether the connection
/// can be trusted afterwards, and how to hand the outcome to the waiting task.
struct PoolJob: Sendable {
    let run: @Sendable (PostgresConnection) -> (trusted: Bool, resume: @Sendable () -> Void)
    let fail: @Sendable (DatabasePoolError) -> Void
}

/// A first-in, first-out line of jobs that worker threads block on. A counting semaphore says how
/// many jobs (or stop signals) are ready; the mutex guards the line itself.
final class JobQueue: Sendable {
    private struct State {
        var jobs: [PoolJob?] = []
        var head = 0
        var closed = false
    }

    private let state = Mutex(State())
    private let ready = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    let statistics = Mutex(DatabasePool.Statistics())

    enum PushOutcome { case queued, full, closed }

    /// Adds a job unless the queue is closed or `limit` jobs are already waiting beyond those
    /// that idle workers are about to take.
    func push(_ job: PoolJob, limit: Int, workers: Int) -> PushOutcome {
        let outcome = state.withLock { state -> PushOutcome in
            guard !state.closed else { return .closed }
            let accepted = statistics.withLock { statistics -> Bool in
                let idle = max(0, workers - statistics.busy)
                guard statistics.waiting < limit + idle else {
                    statistics.refused += 1
                    return false
                }
                statistics.waiting += 1
                return true
            }
            guard accepted else { return .full }
            state.jobs.append(job)
            return .queued
        }
        if outcome == .queued { ready.signal() }
        return outcome
    }

    /// The next job, blocking until there is one; nil tells the worker to stop.
    func pop() -> PoolJob? {
        ready.wait()
        let job = state.withLock { state -> PoolJob? in
            let job = state.jobs[state.head]
            state.jobs[state.head] = nil
            state.head += 1
            if state.head > 1024, state.head * 2 > state.jobs.count {
                state.jobs.removeFirst(state.head)
                state.head = 0
            }
            return job
        }
        if job != nil {
            statistics.withLock {
                $0.waiting -= 1
                $0.busy += 1
            }
        }
        return job
    }

    /// Stops accepting jobs and queues one stop signal per worker behind the jobs already waiting,
    /// so that those still run. Returns what to wait on for every worker to finish.
    func close(workers: Int) -> (semaphore: DispatchSemaphore, count: Int) {
        let stopsNeeded = state.withLock { state -> Int in
            guard !state.closed else { return 0 }
            state.closed = true
            state.jobs.append(contentsOf: Array(repeating: nil, count: workers))
            return workers
        }
        for _ in 0..<stopsNeeded { ready.signal() }
        return (finished, stopsNeeded)
    }

    func workerFinished() {
        finished.signal()
    }
}
