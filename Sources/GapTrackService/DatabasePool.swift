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
    public let limits: StatementLimits
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
        /// Jobs run a second time, on a new connection, after the first lost its connection.
        public var replays = 0
        /// Jobs given up because their request's deadline passed while they waited for a connection.
        public var expired = 0
    }

    /// When a job whose connection was lost may run again on a new one. Either way it runs at
    /// most twice, and never once its request's deadline has passed.
    public enum Replay: Sendable {
        /// Reads, and writes that leave the same state however often they run: replayed after
        /// any lost connection, even one lost during COMMIT.
        case idempotent
        /// Creates: replayed only when the connection was lost before COMMIT was sent, when the
        /// server is known to have rolled the transaction back (a session that ends inside a
        /// transaction never commits it). Lost during COMMIT, the job fails with
        /// `PostgresError.commitUnconfirmed` and the caller decides.
        case beforeCommitOnly

        func allows(_ failure: any Error) -> Bool {
            guard let failure = failure as? PostgresError, failure.isConnectionLoss else { return false }
            if case .commitUnconfirmed = failure { return self == .idempotent }
            return true
        }
    }

    /// Starts `size` worker threads, each of which connects with `conninfo` on its first job (so
    /// that the service starts even while PostgreSQL is still coming up; `/health` reports it).
    public init(conninfo: String, size: Int, maximumQueued: Int = 1024, limits: StatementLimits = .none) {
        precondition(size > 0, "a pool needs at least one connection")
        self.size = size
        self.maximumQueued = maximumQueued
        self.limits = limits
        self.queue = JobQueue()
        for index in 0..<size {
            let thread = Thread { [queue] in
                Self.work(queue: queue, conninfo: conninfo, limits: limits)
            }
            thread.name = "gaptrack-db-\(index)"
            thread.start()
        }
    }

    public var currentStatistics: Statistics { queue.statistics.withLock { $0 } }

    /// Runs `body` on a pooled connection and returns its result. The connection is handed over
    /// outside any transaction; `body` must leave it that way (use `transaction`).
    ///
    /// `deadline` (by default the current request's, `CurrentRequest.deadline`) bounds the wait
    /// for a connection: a job still waiting when it passes fails with `.deadlineExceeded` and
    /// never runs. A job already running is not abandoned (its outcome, a commit perhaps, must
    /// reach the caller); the statement limits bound it instead. `replay` defaults to what the
    /// request's method allows; work outside a request is treated as a read.
    public func run<Result: Sendable>(
        replay: Replay = CurrentRequest.replay, deadline: ContinuousClock.Instant? = CurrentRequest.deadline,
        _ body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) async throws -> Result {
        if let deadline, deadline <= .now { throw DatabasePoolError.deadlineExceeded(waited: limits.requestDeadline) }
        let ticket = JobTicket()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            let job = PoolJob(
                ticket: ticket, replay: replay, deadline: deadline,
                attempt: { connection in
                    let outcome = Swift.Result { try body(connection) }
                    return PoolJob.Attempt(failure: outcome.failure, resume: { continuation.resume(with: outcome) })
                },
                fail: { error in continuation.resume(throwing: error) })
            switch queue.push(job, limit: maximumQueued, workers: size) {
            case .queued:
                guard let deadline else { break }
                let waited = limits.requestDeadline
                ticket.expire(at: deadline) { [queue] in
                    queue.statistics.withLock { $0.expired += 1 }
                    continuation.resume(throwing: DatabasePoolError.deadlineExceeded(waited: waited))
                }
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

    private static func work(queue: JobQueue, conninfo: String, limits: StatementLimits) {
        var connection: PostgresConnection?
        while let job = queue.pop() {
            // The worker counts itself free before the caller resumes, so that a caller that sends
            // its next request at once finds the connection available.
            func free() { queue.statistics.withLock { $0.busy -= 1 } }
            // A job whose deadline passed while it waited has had its answer (503) already.
            guard job.ticket.start() else {
                free()
                continue
            }
            var replayed = false
            while true {
                let current: PostgresConnection
                if let existing = connection {
                    current = existing
                } else {
                    do {
                        current = try open(conninfo: conninfo, limits: limits)
                        connection = current
                    } catch {
                        free()
                        job.fail(DatabasePoolError.unavailable(String(describing: error)))
                        break
                    }
                }
                if current.isInTransaction {
                    // A job left a transaction open (it should not); never hand that state on.
                    ServiceDatabase.endOpenTransaction(current)
                }
                let attempt = job.attempt(current)
                if let failure = attempt.failure, mayHaveBrokenTheConnection(failure),
                    !current.isOpen || !ServiceDatabase.isResponsive(current)
                {
                    // The server went away (terminated backend, restart, failover): reconnect, and
                    // run the job once more if that cannot do it twice.
                    connection = nil
                    queue.statistics.withLock { $0.reconnects += 1 }
                    if !replayed, job.replay.allows(failure), job.deadline.map({ $0 > .now }) ?? true {
                        replayed = true
                        queue.statistics.withLock { $0.replays += 1 }
                        continue
                    }
                }
                free()
                attempt.resume()
                break
            }
        }
        connection = nil
        queue.workerFinished()
    }

    private static func open(conninfo: String, limits: StatementLimits) throws -> PostgresConnection {
        let connection = try PostgresConnection(conninfo: conninfo)
        if limits != .none {
            ServiceDatabase.limitTransactions(
                connection, statementMilliseconds: limits.statementTimeout.wholeMilliseconds,
                lockMilliseconds: limits.lockTimeout.wholeMilliseconds,
                idleInTransactionMilliseconds: limits.requestDeadline.wholeMilliseconds)
        }
        return connection
    }

    /// Whether a failure may mean the session is gone (`PostgresError.isConnectionLoss`). A false
    /// alarm costs one round trip.
    static func mayHaveBrokenTheConnection(_ error: any Error) -> Bool {
        (error as? PostgresError)?.isConnectionLoss ?? false
    }
}

/// How long the service lets its database work take (`gaptrack serve --statement-timeout
/// --lock-timeout --request-deadline`). Zero means no limit.
public struct StatementLimits: Sendable, Equatable {
    /// Longest one statement may run before PostgreSQL cancels it (`statement_timeout`).
    public var statementTimeout: Duration
    /// Longest one statement may wait for a row or table lock (`lock_timeout`), so that a request
    /// stuck behind another's lock fails quickly instead of holding a connection.
    public var lockTimeout: Duration
    /// Longest a request may wait for a connection; also the longest a session may sit idle
    /// inside a transaction.
    public var requestDeadline: Duration

    public init(statementTimeout: Duration, lockTimeout: Duration, requestDeadline: Duration) {
        self.statementTimeout = statementTimeout
        self.lockTimeout = lockTimeout
        self.requestDeadline = requestDeadline
    }

    public static let none = StatementLimits(statementTimeout: .zero, lockTimeout: .zero, requestDeadline: .zero)
}

extension Duration {
    var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

/// What the pool needs to know of the request being handled, set for each request by
/// `RequestDeadlineMiddleware` and read as `DatabasePool.run`'s defaults.
public enum CurrentRequest {
    /// The instant by which the request must be answered.
    @TaskLocal public static var deadline: ContinuousClock.Instant?
    /// Whether the request may run twice (GET and HEAD) or only when nothing can have committed.
    @TaskLocal public static var replay: DatabasePool.Replay = .idempotent
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
    /// The request's deadline passed before a connection was free.
    case deadlineExceeded(waited: Duration)
    /// The service is shutting down.
    case shutDown

    public var description: String {
        switch self {
        case .overloaded(let waiting):
            return "the service is busy (\(waiting) requests already waiting for the database); retry shortly"
        case .unavailable(let reason):
            return "the database is unavailable: \(reason)"
        case .deadlineExceeded(let waited):
            return "the database was busy for longer than the request deadline (\(waited.wholeMilliseconds) ms); nothing was changed; retry shortly"
        case .shutDown:
            return "the service is shutting down"
        }
    }
}

/// Whether a job has started, finished or been given up: the worker and the deadline's timer
/// race for it, and exactly one of them answers the caller.
final class JobTicket: Sendable {
    private enum Phase {
        case waiting(timer: Task<Void, Never>?)
        case started
        case expired
    }

    private let phase = Mutex(Phase.waiting(timer: nil))

    /// Called by the worker; false if the deadline took the job first.
    func start() -> Bool {
        phase.withLock { phase in
            guard case .waiting(let timer) = phase else { return false }
            timer?.cancel()
            phase = .started
            return true
        }
    }

    /// At `deadline`, gives the job up (and calls `expired`) unless a worker started it.
    func expire(at deadline: ContinuousClock.Instant, _ expired: @escaping @Sendable () -> Void) {
        let timer = Task { [self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            guard !Task.isCancelled else { return }
            let gaveUp = phase.withLock { phase -> Bool in
                guard case .waiting = phase else { return false }
                phase = .expired
                return true
            }
            if gaveUp { expired() }
        }
        phase.withLock { phase in
            if case .waiting = phase { phase = .waiting(timer: timer) } else { timer.cancel() }
        }
    }
}

/// One unit of work for a worker thread. `attempt` does the work once and says how it ended and
/// how to hand the outcome to the waiting task.
struct PoolJob: Sendable {
    struct Attempt {
        let failure: (any Error)?
        let resume: @Sendable () -> Void
    }

    let ticket: JobTicket
    let replay: DatabasePool.Replay
    let deadline: ContinuousClock.Instant?
    let attempt: @Sendable (PostgresConnection) -> Attempt
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
