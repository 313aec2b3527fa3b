import DemoData
import GapTrackDomain
import Testing

/// Who the school's pupils are, read from students.csv and markers.csv as the importer sees
/// them, with the DfE definitions of GapTrackDomain.
@Suite("Demo Academy's pupils and markers")
struct SchoolMarkerTests {
    /// UPN -> year group, for pupils on roll in 2024/25 on the spring census day.
    static func pupilsOnCensusDay(_ files: GeneratedFiles) throws -> [String: Int] {
        var pupils: [String: Int] = [:]
        let census = DefaultDemo.springCensus2025
        for record in try files.records(.academy, .students) where try record.value("academic_year") == "2024/25" {
            let start = try record.date("start_date")
            let leave = try record.optionalDate("leave_date")
            if start <= census, leave.map({ census <= $0 }) ?? true {
                pupils[try record.value("upn")] = Int(try record.value("year_group"))
            }
        }
        return pupils
    }

    @Test("about a quarter of pupils are disadvantaged, and FSM Ever 6 differs from FSM now")
    func disadvantagedShare() throws {
        let files = try DefaultDemo.get()
        let pupils = try Self.pupilsOnCensusDay(files)
        let markers = try PupilMarkers.read(from: files, provider: .academy)
        let census = DefaultDemo.springCensus2025
        let disadvantaged = pupils.keys.filter { markers[$0]?.isDisadvantaged(on: census) ?? false }
        let share = Double(disadvantaged.count) / Double(pupils.count)
        #expect(pupils.count > 950)
        #expect(share > 0.21 && share < 0.30, "disadvantaged share \(share)")

        let spells = pupils.keys.map { markers[$0]?.fsm ?? [] }
        let ever6NotNow = spells.filter { FSMEver6.isEver6(spells: $0, on: census) && !$0.contains { $0.covers(census) } }
        #expect(ever6NotNow.count >= 10, "pupils who were eligible in the last six years but are not now")
        let laterDay = CalendarDate(year: 2025, month: 3, day: 14)!
        let nowNotEver6 = spells.filter { $0.contains { $0.covers(laterDay) } && !FSMEver6.isEver6(spells: $0, on: laterDay) }
        #expect(!nowNotEver6.isEmpty, "pupils newly eligible since the last census day are FSM now but not yet Ever 6")
        let historyThatDoesNotCount = spells.filter { !$0.isEmpty && !FSMEver6.isEver6(spells: $0, on: census) && !$0.contains { $0.covers(census) } }
        #expect(!historyThatDoesNotCount.isEmpty, "pupils whose only FSM spells are too old or missed every census day")
    }

    @Test("the shares of LAC, PLAC, EAL, SEN, young carers and service children are realistic")
    func groupShares() throws {
        let files = try DefaultDemo.get()
        let pupils = try Self.pupilsOnCensusDay(files)
        let markers = try PupilMarkers.read(from: files, provider: .academy)
        let census = DefaultDemo.springCensus2025
        func share(_ test: (PupilMarkers) -> Bool) -> Double {
            Double(pupils.keys.filter { markers[$0].map(test) ?? false }.count) / Double(pupils.count)
        }
        let lookedAfter = share { $0.holds("looked_after", on: census) }
        let previouslyLookedAfter = share { $0.holds("previously_looked_after", on: census) }
        let eal = share { $0.holds("eal", on: census) }
        let senSupport = share { $0.value(of: "sen", on: census) == "K" }
        let ehcp = share { $0.value(of: "sen", on: census) == "E" }
        let youngCarers = share { $0.holds("young_carer", on: census) }
        let service = share { $0.holds("service_child", on: census) }
        #expect(lookedAfter >= 0.005 && lookedAfter <= 0.02, "LAC \(lookedAfter)")
        #expect(previouslyLookedAfter >= 0.008 && previouslyLookedAfter <= 0.025, "PLAC \(previouslyLookedAfter)")
        #expect(eal >= 0.10 && eal <= 0.20, "EAL \(eal)")
        #expect(senSupport >= 0.08 && senSupport <= 0.16, "SEN support \(senSupport)")
        #expect(ehcp >= 0.01 && ehcp <= 0.045, "EHC plans \(ehcp)")
        #expect(youngCarers >= 0.01 && youngCarers <= 0.03, "young carers \(youngCarers)")
        #expect(service >= 0.005 && service <= 0.02, "service children \(service)")
        let bands = Set(pupils.keys.compactMap { markers[$0]?.value(of: "eal", on: census) })
        #expect(bands == ["A", "B", "C", "D", "E"])
    }

    @Test("every year group has refugee pupils, but fewer than 10: a subgroup reports must suppress")
    func smallSubgroup() throws {
        let files = try DefaultDemo.get()
        let pupils = try Self.pupilsOnCensusDay(files)
        let markers = try PupilMarkers.read(from: files, provider: .academy)
        var refugees: [Int: Int] = [:]
        for (upn, yearGroup) in pupils where markers[upn]?.holds("refugee_or_asylum_seeker", on: DefaultDemo.springCensus2025) == true {
            refugees[yearGroup, default: 0] += 1
        }
        for yearGroup in 7...11 {
            let count = refugees[yearGroup] ?? 0
            #expect(count >= 1 && count < 10, "Year \(yearGroup) has \(count) refugee pupils")
        }
    }

    @Test("spells of the same marker never overlap, and every marker row is one the format accepts")
    func markerRows() throws {
        let files = try DefaultDemo.get()
        var spells: [String: [(CalendarDate, CalendarDate?)]] = [:]
        for record in try files.records(.academy, .markers) {
            let marker = try record.value("marker")
            let value = record.optionalValue("value")
            let start = try record.date("start_date")
            let end = try record.optionalDate("end_date")
            if let end { #expect(start <= end) }
            switch marker {
            case "sen": #expect(value == "E" || value == "K")
            case "eal": #expect(["A", "B", "C", "D", "E"].contains(value ?? ""))
            case "pupil_premium": #expect(value == "funded")
            default:
                _ = try DisadvantageMarkerKind.parse(marker)
                #expect(value == nil)
            }
            let key = try record.value("student") + "|" + marker + "|" + (marker == "pupil_premium" ? value ?? "" : "")
            spells[key, default: []].append((start, end))
        }
        for (key, list) in spells {
            let sorted = list.sorted { $0.0 < $1.0 }
            for (earlier, later) in zip(sorted, sorted.dropFirst()) {
                #expect(earlier.1.map { $0 < later.0 } ?? false, "\(key): spells overlap")
            }
        }
    }

    @Test("pupil premium funding follows the October 2023 census, so Year 7 brought none")
    func pupilPremiumFunding() throws {
        let files = try DefaultDemo.get()
        let pupils = try Self.pupilsOnCensusDay(files)
        let markers = try PupilMarkers.read(from: files, provider: .academy)
        let october2023 = CalendarDate(year: 2023, month: 10, day: 5)!
        let funded = pupils.filter { markers[$0.key]?.holds("pupil_premium", on: DefaultDemo.springCensus2025) ?? false }
        #expect(funded.values.allSatisfy { $0 >= 8 })
        #expect(funded.count > 100)
        for upn in funded.keys { #expect(markers[upn]!.isDisadvantaged(on: october2023)) }
    }
}
