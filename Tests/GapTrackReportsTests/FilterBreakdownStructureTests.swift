import DisclosureControl
import GapTrackDomain
@testable import GapTrackReports
@testable import GapTrackStore
import Testing

/// Which views a governors' filtered view is shaped with, and which of their figures every reader
/// knows to be 0 (docs/disclosure-control.md §7.7). Pure: the counts are written by hand.
@Suite("Filter breakdown: its views and its zeros by definition")
struct FilterBreakdownStructureTests {
    /// A cohort of 200: FSM 46 within FSM Ever 6 54 within pupil premium 57; 3 looked-after
    /// pupils within pupil premium (not FSM Ever 6); 4 young carers, all with FSM; 32 EAL pupils,
    /// 10 of them with FSM. Every pair's shared pupils follow from that.
    static let overlaps: [FilterBreakdownRepository.Overlap] = {
        let sizes = ["fsm": 46, "fsm_ever_6": 54, "pupil_premium": 57, "looked_after": 3, "young_carer": 4, "eal": 32]
        let shared: [Set<String>: Int] = [
            ["fsm", "fsm_ever_6"]: 46, ["fsm", "pupil_premium"]: 46, ["fsm_ever_6", "pupil_premium"]: 54,
            ["looked_after", "pupil_premium"]: 3, ["young_carer", "fsm"]: 4, ["young_carer", "fsm_ever_6"]: 4,
            ["young_carer", "pupil_premium"]: 4, ["eal", "fsm"]: 10, ["eal", "fsm_ever_6"]: 10, ["eal", "pupil_premium"]: 10,
        ]
        var rows: [FilterBreakdownRepository.Overlap] = []
        for (a, n) in sizes {
            rows.append(.init(first: a, second: a, students: n))
            for b in sizes.keys where b != a {
                if let both = shared[[a, b]] { rows.append(.init(first: a, second: b, students: both)) }
            }
        }
        return rows
    }()

    static func structure(_ value: String, threshold: Int) -> (values: [String], partitions: [BreakdownPartition]) {
        FilterBreakdown.structure(of: value, dimension: .marker, students: 200, overlaps: overlaps, threshold: threshold)
    }

    @Test("markers of fewer than 10 pupils stay out of the breakdown; the nested chain is the same whichever is asked")
    func smallMarkersLeftOut() {
        let fsm = Self.structure("fsm", threshold: 10)
        #expect(fsm.values == ["fsm", "fsm_ever_6", "pupil_premium"])
        // FSM directly within FSM Ever 6, FSM Ever 6 directly within pupil premium; neither covers.
        #expect(fsm.partitions.contains(BreakdownPartition(parent: 1, parts: [0], covers: false)))
        #expect(fsm.partitions.contains(BreakdownPartition(parent: 2, parts: [1], covers: false)))
        #expect(!fsm.partitions.contains { $0.parent == 2 && $0.parts == [0] }, "FSM is within pupil premium only through FSM Ever 6")
        #expect(Self.structure("pupil_premium", threshold: 10).values == fsm.values)
        #expect(Self.structure("fsm_ever_6", threshold: 10).values == fsm.values)
        // EAL overlaps FSM without nesting: its own breakdown.
        #expect(Self.structure("eal", threshold: 10).values == ["eal"])
        // A marker under the threshold is its breakdown alone (its view prints no figure).
        #expect(Self.structure("looked_after", threshold: 10).values == ["looked_after"])
        // With a threshold of 3 the young carers (4, within FSM) and looked-after pupils (3, within pupil premium) join.
        #expect(Self.structure("fsm", threshold: 3).values == ["fsm", "fsm_ever_6", "looked_after", "pupil_premium", "young_carer"])
    }

    static let term: AcademicTerm = "2024/25-summer"

    static func empty(_ id: String, label: String = "", _ condition: String, _ comparison: ComparisonGroup = .dfeDisadvantaged) throws -> Bool {
        FilterBreakdown.isEmptyByDefinition(
            id, label: label, filter: try CohortFilter(parsing: [condition]), comparison: comparison, term: term)
    }

    @Test("a view of FSM pupils has no other pupils and no looked-after pupils without FSM Ever 6, by definition; nothing else is taken as 0")
    func zerosByDefinition() throws {
        let others = ReportGroup.others.id, lookedAfter = ReportGroup.lookedAfter.id
        for marker in ["marker=fsm", "marker=fsm_ever_6"] {
            #expect(try Self.empty("group.\(others)", marker))
            #expect(try Self.empty("attendance.\(others).possible", marker))
            #expect(try Self.empty("subject.2.\(others)", marker))
            #expect(try Self.empty("ks4.0.\(others).grade4", marker))
            #expect(try Self.empty("group.\(lookedAfter).not_fsm_ever_6", marker))
            #expect(try Self.empty("attendance.\(lookedAfter).severe.not_fsm_ever_6", marker))
            // The trend's point of the report's own term, not an earlier term's (other pupils then).
            #expect(try Self.empty("trend.1.5.\(others)", label: "Trend, Gap index: maths, 2024/25-summer, other pupils", marker))
            #expect(try !Self.empty("trend.1.4.\(others)", label: "Trend, Gap index: maths, 2024/25-spring, other pupils", marker))
            #expect(try !Self.empty("group.\(lookedAfter)", marker))
            #expect(try !Self.empty("group.\(ReportGroup.disadvantaged.id)", marker))
            #expect(try !Self.empty("subject.2.\(ReportGroup.disadvantaged.id)", marker))
        }
        // Looked after: no other pupils, but looked-after pupils without FSM Ever 6 may be there.
        #expect(try Self.empty("group.\(others)", "marker=looked_after"))
        #expect(try !Self.empty("group.\(lookedAfter).not_fsm_ever_6", "marker=looked_after"))
        // Pupil premium takes in service children, who are not disadvantaged: nothing by definition.
        #expect(try !Self.empty("group.\(others)", "marker=pupil_premium"))
        // Under another definition of the compared group, FSM pupils can be on either side.
        #expect(try !Self.empty("group.\(others)", "marker=fsm", .imdQuintile1))
        #expect(try Self.empty("group.\(others)", "marker=care_leaver", .careExperienced))
        // As before: the EAL pupils of eal=no.
        #expect(try Self.empty("group.\(ReportGroup.eal.id)", "eal=no"))
        #expect(try !Self.empty("group.\(ReportGroup.eal.id)", "eal=yes"))
    }
}
