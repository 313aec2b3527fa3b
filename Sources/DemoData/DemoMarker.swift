import GapTrackDomain

/// One dated marker: one row of markers.csv.
public struct DemoMarker: Sendable, Hashable {
    /// The marker name as docs/import-formats.md writes it (`fsm`, `eal`, `pupil_premium`, ...).
    public let marker: String
    public let value: String
    public let start: CalendarDate
    public let end: CalendarDate?

    init(_ kind: DisadvantageMarkerKind, value: String = "", start: CalendarDate, end: CalendarDate? = nil) {
        marker = kind.rawValue
        self.value = value
        self.start = start
        self.end = end
    }

    init(marker: String, value: String, start: CalendarDate, end: CalendarDate?) {
        self.marker = marker
        self.value = value
        self.start = start
        self.end = end
    }

    func covers(_ day: CalendarDate) -> Bool { start <= day && (end.map { day <= $0 } ?? true) }
}
