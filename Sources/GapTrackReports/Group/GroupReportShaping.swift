import DisclosureControl
import GapStatistics

/// The group report shaped for its audience (docs/methodology.md §7.6, §7.10), as the termly report
/// is: staff of the trust or authority see every school's true figures, a side under the
/// threshold marked; governors and the public see those counts as `c`, with complementary
/// suppression across each subject's table (a school's pupils = disadvantaged + others; the
/// group's totals = the sums over schools) until the `DisclosureAuditor` finds no `c` that can be
/// narrowed, and with every figure of a school whose counts are withheld (its gap, months and
/// place on the funnel) withheld too. No report of a group lists pupils.
public struct GroupReportShaping: Sendable {
    public var threshold: Int

    public init(threshold: Int = 10) {
        self.threshold = threshold
    }

    public enum ShapingError: Error, Sendable, Equatable, CustomStringConvertible {
        case cannotProtect(subject: String, detail: String)

        public var description: String {
            switch self {
            case let .cannotProtect(subject, detail):
                "the group report's \(subject) table cannot be made safe to publish (\(detail)); report it for staff only"
            }
        }
    }

    /// `ownReports`: each school's own report for the same audience, cohort and term, by school
    /// code. A school's row prints what its own report prints and withholds what it withholds, so
    /// that neither can be differenced against the other or against the pooled row
    /// (docs/disclosure-control.md §7.7); the pooled row then takes the complementary suppression.
    public func shape(
        _ report: GroupGapReport, for audience: ReportAudience, ownReports: [String: TermlyGapReport] = [:]
    ) throws(ShapingError) -> GroupGapReport {
        var shaped = report
        shaped.audience = audience
        shaped.suppressionThreshold = threshold
        if audience == .staff {
            for s in shaped.subjects.indices {
                for i in shaped.subjects[s].schools.indices {
                    let school = shaped.subjects[s].schools[i]
                    if isSmall(school.disadvantaged) || isSmall(school.others) { shaped.subjects[s].schools[i].treatWithCare = true }
                }
            }
            shaped.suppressionNotes = [ReportAudience.cautionNote(threshold: threshold)]
            return shaped
        }
        var withheld = 0
        for s in shaped.subjects.indices {
            let subject = shaped.subjects[s]
            let protected: ProtectedTables
            do {
                var tables = try Self.tables(subject)
                PrimarySuppression(threshold: threshold).apply(to: &tables)
                let keeping = Self.matchOwnReports(subject, ownReports, in: &tables)
                protected = try ComplementarySuppression(auditor: DisclosureAuditor(threshold: threshold), keeping: keeping).protect(tables)
            } catch {
                throw .cannotProtect(subject: subject.title, detail: error.description)
            }
            shaped.subjects[s] = Self.apply(protected.tables, to: subject, threshold: threshold)
            withheld += protected.tables.suppressed.count
        }
        if audience == .public, shaped.subjects.contains(where: { !restsOnLargeGroups($0) }) {
            shaped.nationalFigures = []
        }
        shaped.suppressionNotes = [
            "Counts under \(threshold) are shown as c, and so is every figure made from them; further counts are withheld where a c could "
                + "otherwise be worked out from the totals (\(withheld) withheld in all). A school whose counts are withheld is not drawn on the funnel plot.",
        ] + (audience == .public && shaped.nationalFigures.isEmpty && !report.nationalFigures.isEmpty
            ? ["National figures are left out: a pooled gap rests on a group of fewer than \(ReportAudience.publicNationalThreshold(threshold)) pupils."]
            : [])
        return shaped
    }

    private func isSmall(_ figure: ReportedFigure<Int>) -> Bool { (figure.value ?? 0) < threshold }

    /// Hides each school's count its own report withholds, and returns those its own report
    /// prints (a school's pupils too, when both its sides are printed there).
    static func matchOwnReports(_ subject: GroupSubjectComparison, _ ownReports: [String: TermlyGapReport], in tables: inout TableSet) -> Set<CellID> {
        var keeping: Set<CellID> = []
        for (index, school) in subject.schools.enumerated() {
            guard let own = ownReports[school.code]?.attainment.first(where: { $0.subject == subject.subject && $0.assessment == subject.assessment })
            else { continue }
            var shownSides = 0
            for (id, side) in [(CellID("s\(index).d"), own.disadvantaged), (CellID("s\(index).o"), own.others)] {
                if side.isSuppressed {
                    tables.setVisibility(.suppressed, of: id)
                } else {
                    keeping.insert(id)
                    shownSides += 1
                }
            }
            if shownSides == 2 { keeping.insert(CellID("s\(index).n")) }
        }
        return keeping.filter { tables[$0]?.visibility == .published }
    }

    private func restsOnLargeGroups(_ subject: GroupSubjectComparison) -> Bool {
        let floor = ReportAudience.publicNationalThreshold(threshold)
        return (subject.disadvantaged.value ?? 0) >= floor && (subject.others.value ?? 0) >= floor
    }

    /// A subject's published counts and the relations a reader knows between them.
    static func tables(_ subject: GroupSubjectComparison) throws(DisclosureControlError) -> TableSet {
        var tables = TableSet()
        func value(_ figure: ReportedFigure<Int>) -> Int { figure.value ?? 0 }
        try tables.count("total.d", "\(subject.title): disadvantaged, all schools", value(subject.disadvantaged), isTotal: true)
        try tables.count("total.o", "\(subject.title): others, all schools", value(subject.others), isTotal: true)
        try tables.count("total.n", "\(subject.title): pupils, all schools", value(subject.students), isTotal: true)
        try tables.partition("total.n", into: ["total.d", "total.o"])
        for (index, school) in subject.schools.enumerated() {
            try tables.count("s\(index).d", "\(subject.title): disadvantaged at \(school.code)", value(school.disadvantaged))
            try tables.count("s\(index).o", "\(subject.title): others at \(school.code)", value(school.others))
            try tables.count("s\(index).n", "\(subject.title): pupils at \(school.code)", value(school.students))
            try tables.partition("s\(index).n", into: ["s\(index).d", "s\(index).o"])
        }
        let indices = subject.schools.indices
        if !indices.isEmpty {
            try tables.partition("total.d", into: indices.map { CellID("s\($0).d") })
            try tables.partition("total.o", into: indices.map { CellID("s\($0).o") })
            try tables.partition("total.n", into: indices.map { CellID("s\($0).n") })
        }
        return tables
    }

    /// The table set of a shaped subject as a reader sees it: what it prints is published, `c`
    /// suppressed. The auditor attacks exactly this (the tests run it on every shaped report).
    public static func published(_ shaped: GroupSubjectComparison, trueFigures: GroupSubjectComparison) throws -> TableSet {
        var tables = try tables(trueFigures)
        let shown: [(CellID, ReportedFigure<Int>)] =
            [("total.d", shaped.disadvantaged), ("total.o", shaped.others), ("total.n", shaped.students)]
            + shaped.schools.enumerated().flatMap { index, school in
                [(CellID("s\(index).d"), school.disadvantaged), (CellID("s\(index).o"), school.others), (CellID("s\(index).n"), school.students)]
            }
        for (id, figure) in shown where figure.isSuppressed { tables.setVisibility(.suppressed, of: id) }
        return tables
    }

    private static func apply(_ tables: TableSet, to subject: GroupSubjectComparison, threshold: Int) -> GroupSubjectComparison {
        var shaped = subject
        func reason(_ id: CellID) -> SuppressionReason? {
            guard tables[id]?.visibility == .suppressed, let value = tables[id]?.value else { return nil }
            return value < threshold ? .belowThreshold(threshold: threshold) : .protectsSuppressedCell
        }
        func figure(_ id: CellID, _ original: ReportedFigure<Int>) -> ReportedFigure<Int> {
            reason(id).map { .suppressed($0) } ?? original
        }
        shaped.disadvantaged = figure("total.d", subject.disadvantaged)
        shaped.others = figure("total.o", subject.others)
        shaped.students = figure("total.n", subject.students)
        for (index, school) in subject.schools.enumerated() {
            var row = school
            row.disadvantaged = figure("s\(index).d", school.disadvantaged)
            row.others = figure("s\(index).o", school.others)
            row.students = figure("s\(index).n", school.students)
            if row.disadvantaged.isSuppressed || row.others.isSuppressed || row.students.isSuppressed {
                let why: SuppressionReason = (reason("s\(index).d") ?? reason("s\(index).o")).map {
                    if case .belowThreshold = $0 { .groupBelowThreshold(group: "disadvantaged or others", threshold: threshold) } else { $0 }
                } ?? .protectsSuppressedCell
                row.gapIndex = .suppressed(why)
                row.months = row.months.map { _ in .suppressed(why) }
                row.position = row.position.map { _ in .suppressed(why) }
            }
            shaped.schools[index] = row
        }
        if shaped.disadvantaged.isSuppressed || shaped.others.isSuppressed {
            let why = SuppressionReason.groupBelowThreshold(group: "disadvantaged or others", threshold: threshold)
            shaped.pooledGapIndex = shaped.pooledGapIndex.map { _ in .suppressed(why) }
            shaped.pooledMonths = shaped.pooledMonths.map { _ in .suppressed(why) }
            shaped.funnel = nil
        }
        return shaped
    }
}
