import GapStatistics
import GapTrackDomain

/// Builds a pupil's dated markers, spell by spell, so that markers.csv shows what a real MIS
/// holds: FSM spells that start and stop, SEN support that becomes an EHC plan, EAL bands
/// that improve, adoption after a spell in care.
///
/// FSM histories are planted so that FSM Ever 6 and "FSM now" differ, as they do in schools
/// (DfE pupil premium conditions of grant: a pupil counts if recorded as eligible on a census
/// day in the last six years). Besides pupils with no FSM record (about 75%) there are pupils
/// eligible for years, recently eligible, eligible and then not (still Ever 6), on and off,
/// eligible only in infant school (more than six years ago: no longer Ever 6), newly eligible
/// this year (Ever 6 only from the next census day) and eligible only between two census days
/// (never recorded, so never Ever 6).
struct MarkerHistoryBuilder {
    let cohort: SchoolCohort
    /// The spring census of the pupil's last year at the school: "now" for this pupil.
    let census: CalendarDate
    let dateOfBirth: CalendarDate
    /// For pupils who came from abroad: when they arrived, before which England holds no records.
    let inEnglandSince: CalendarDate?
    let joinDate: CalendarDate?
    private(set) var markers: [DemoMarker] = []
    private(set) var fsmSpells: [FSMSpell] = []

    init(cohort: SchoolCohort, census: CalendarDate, dateOfBirth: CalendarDate, inEnglandSince: CalendarDate?,
         joinDate: CalendarDate?) {
        self.cohort = cohort
        self.census = census
        self.dateOfBirth = dateOfBirth
        self.inEnglandSince = inEnglandSince
        self.joinDate = joinDate
    }

    var hasAnyFSM: Bool { !fsmSpells.isEmpty }

    /// The first day a school in England could have recorded anything about the pupil.
    private var earliest: CalendarDate { max(cohort.receptionStart, inEnglandSince ?? cohort.receptionStart) }

    func isDisadvantaged(on day: CalendarDate) -> Bool {
        FSMEver6.isEver6(spells: fsmSpells, on: day) || covered(.lookedAfter, on: day) || covered(.previouslyLookedAfter, on: day)
    }

    private func covered(_ kind: DisadvantageMarkerKind, on day: CalendarDate) -> Bool {
        markers.contains { $0.marker == kind.rawValue && $0.covers(day) }
    }

    private mutating func add(_ kind: DisadvantageMarkerKind, value: String = "", from start: CalendarDate, to end: CalendarDate? = nil) {
        markers.append(DemoMarker(kind, value: value, start: start, end: end))
        if kind == .fsm, let spell = try? FSMSpell(start: start, end: end) { fsmSpells.append(spell) }
    }

    mutating func addFSM(isRefugee: Bool, cameFromAbroad: Bool, using g: inout SeededGenerator) {
        let now = census
        let windowStart = now.adding(years: -6)
        if let arrived = inEnglandSince {
            if g.chance(isRefugee ? 0.7 : 0.35) {
                add(.fsm, from: arrived.adding(days: g.integer(in: 14...60)))
            }
            return
        }
        let u = g.unitInterval()
        switch u {
        case ..<0.125:  // eligible for years, still eligible
            add(.fsm, from: g.day(from: earliest, to: now.adding(days: -365)))
        case ..<0.165:  // eligible in the last three years, still eligible
            add(.fsm, from: g.day(from: now.adding(years: -3), to: now.adding(days: -60)))
        case ..<0.200:  // eligible for a while inside the six years, then not: Ever 6 but not FSM now
            let start = g.day(from: max(earliest, windowStart.adding(days: 30)), to: now.adding(years: -2))
            add(.fsm, from: start, to: g.day(from: start.adding(days: 180), to: now.adding(days: -30)))
        case ..<0.220:  // on, off, and on again
            let first = g.day(from: max(earliest, windowStart.adding(days: 30)), to: now.adding(years: -3))
            let firstEnd = g.day(from: first.adding(days: 150), to: first.adding(days: 600))
            add(.fsm, from: first, to: firstEnd)
            add(.fsm, from: g.day(from: firstEnd.adding(days: 60), to: now.adding(days: -30)))
        case ..<0.235:  // eligible only in infant school, more than six years ago: not Ever 6
            let start = g.day(from: earliest, to: windowStart.adding(days: -200))
            add(.fsm, from: start, to: g.day(from: start.adding(days: 120), to: windowStart.adding(days: -10)))
        case ..<0.250:  // newly eligible this year: Ever 6 only from the next census day
            let firstDay = SchoolPupilFactory.firstDay(of: cohort.lastYear)
            add(.fsm, from: g.day(from: firstDay.adding(days: 30), to: now.adding(days: 60)))
        case ..<0.255:  // eligible only between the autumn and spring census days: never recorded on one
            let autumn = SchoolCensus.censusDay(.autumn, of: cohort.lastYear)
            let start = g.day(from: autumn.adding(days: 1), to: autumn.adding(days: 30))
            add(.fsm, from: start, to: g.day(from: start.adding(days: 14), to: now.adding(days: -1)))
        default:
            break
        }
    }

    /// In care now, since some time in the last eight years (and after arriving in England).
    mutating func addLookedAfter(using g: inout SeededGenerator) {
        let start: CalendarDate
        if let arrived = inEnglandSince {
            start = arrived.adding(days: g.integer(in: 1...10))
        } else {
            start = g.day(from: max(dateOfBirth.adding(days: 30), census.adding(years: -8)), to: census.adding(days: -30))
        }
        add(.lookedAfter, from: start)
    }

    /// Adopted (or under a special guardianship or child arrangements order) after being in
    /// care; for some, the spell in care itself is on record too.
    mutating func addPreviouslyLookedAfter(using g: inout SeededGenerator) {
        let order = g.day(from: dateOfBirth.adding(years: 1), to: min(census.adding(years: -1), dateOfBirth.adding(years: 9)))
        if g.chance(0.4) {
            let inCare = max(dateOfBirth.adding(days: 1), order.adding(days: -g.integer(in: 180...1_100)))
            add(.lookedAfter, from: inCare, to: order.adding(days: -1))
        }
        add(.previouslyLookedAfter, from: order)
    }

    /// SEN support (K) or an EHC plan (E), more common for disadvantaged and looked-after
    /// pupils; returns the status at the census, or nil. Some EHC plans follow a spell of SEN
    /// support, and some pupils had SEN support that ended.
    mutating func addSEN(disadvantageWeight weight: Double, lookedAfter: Bool, using g: inout SeededGenerator) -> String? {
        let (ehcp, support): (Double, Double)
        if lookedAfter { (ehcp, support) = (0.25, 0.35) }
        else if weight >= 1 { (ehcp, support) = (0.045, 0.20) }
        else if weight > 0 { (ehcp, support) = (0.03, 0.14) }
        else { (ehcp, support) = (0.018, 0.09) }
        let first = max(cohort.receptionStart.adding(days: 365), (inEnglandSince ?? cohort.receptionStart).adding(days: 60))
        let last = census.adding(days: -30)
        guard first <= last else { return nil }
        let u = g.unitInterval()
        if u < ehcp {
            let plan = g.day(from: max(first, min(last, cohort.receptionStart.adding(years: 2))), to: last)
            if g.chance(0.7), first <= plan.adding(days: -200) {
                add(.sen, value: "K", from: g.day(from: first, to: plan.adding(days: -200)), to: plan.adding(days: -1))
            }
            add(.sen, value: "E", from: plan)
            return "E"
        }
        if u < ehcp + support {
            add(.sen, value: "K", from: g.day(from: first, to: last))
            return "K"
        }
        if g.chance(0.03), first <= last.adding(days: -400) {
            let start = g.day(from: first, to: last.adding(days: -400))
            add(.sen, value: "K", from: start, to: g.day(from: start.adding(days: 180), to: last.adding(days: -60)))
        }
        return nil
    }

    /// EAL with a proficiency band A-E; for some pupils the band rose from the one below.
    mutating func addEAL(band: String, isRefugee: Bool, using g: inout SeededGenerator) {
        let start = inEnglandSince ?? cohort.receptionStart
        let bands = ["A", "B", "C", "D", "E"]
        let level = bands.firstIndex(of: band)!
        let change = start.adding(days: 180)
        if level > 0, isRefugee || g.chance(0.4), change <= census.adding(days: -30) {
            let changed = g.day(from: change, to: census.adding(days: -30))
            add(.eal, value: bands[level - 1], from: start, to: changed.adding(days: -1))
            add(.eal, value: band, from: changed)
        } else {
            add(.eal, value: band, from: start)
        }
    }

    mutating func addRefugee() {
        add(.refugeeOrAsylumSeeker, from: inEnglandSince ?? cohort.receptionStart)
    }

    mutating func addYoungCarer(using g: inout SeededGenerator) {
        let from = max(earliest, census.adding(years: -4))
        add(.youngCarer, from: g.day(from: from, to: max(from, census.adding(days: -30))))
    }

    /// A parent in the armed forces; for some the parent has since left.
    mutating func addServiceChild(using g: inout SeededGenerator) {
        let start = g.day(from: earliest, to: max(earliest, census.adding(years: -1)))
        if g.chance(0.2), start.adding(days: 365) <= census.adding(days: -60) {
            add(.serviceChild, from: start, to: g.day(from: start.adding(days: 365), to: census.adding(days: -60)))
        } else {
            add(.serviceChild, from: start)
        }
    }

    /// Pupil premium funding for the 2024-25 financial year (April 2024 to March 2025), which
    /// the DfE allocates from the October 2023 census (pupil premium 2024 to 2025 conditions of
    /// grant). Pupils who were at primary school then (this year's Year 7) brought no funding
    /// here, and last year's leavers still did: "funded" and "eligible" are different facts.
    mutating func addPupilPremiumFunding() {
        let year = AcademicYear(startYear: 2023)
        let october = SchoolCensus.censusDay(.autumn, of: year)
        guard (7...11).contains(cohort.yearGroup(in: year)), (joinDate ?? october) <= october,
              isDisadvantaged(on: october) else { return }
        markers.append(DemoMarker(marker: "pupil_premium", value: "funded", start: date(2024, 4, 1), end: date(2025, 3, 31)))
    }
}
