import ArgumentParser
@testable import gaptrack
import Testing

/// `gaptrack serve`'s time limits are read as typed (`500ms`, `10s`, `2m`, `0`), and anything
/// else is refused naming the option.
@Suite struct ServeTimeLimitTests {
    @Test func timeLimitsAreReadWithTheirUnits() throws {
        let command = try ServeCommand.parse(["--statement-timeout", "500ms", "--lock-timeout", "0", "--request-deadline", "2m"])
        #expect(command.statementTimeout?.duration == .milliseconds(500))
        #expect(command.lockTimeout?.duration == .zero)
        #expect(command.requestDeadline?.duration == .seconds(120))
        #expect(TimeLimit(argument: " 10S ")?.duration == .seconds(10))
        for bad in ["10", "5x", "-1s", "s", "1.5s", ""] {
            #expect(TimeLimit(argument: bad) == nil, "\(bad)")
            #expect(throws: (any Error).self, "\(bad)") { try ServeCommand.parse(["--statement-timeout", bad]) }
        }
    }
}
