/// What a batch written through the service did to the rows it named.
public struct RecordedCounts: Codable, Sendable, Equatable {
    public let received: Int
    public let inserted: Int
    public let updated: Int
    public let unchanged: Int

    public init(received: Int, inserted: Int, updated: Int, unchanged: Int) {
        self.received = received
        self.inserted = inserted
        self.updated = updated
        self.unchanged = unchanged
    }
}
