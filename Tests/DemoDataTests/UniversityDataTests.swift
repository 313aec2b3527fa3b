import DemoData
import Foundation
import GapTrackDomain
import Testing

/// Demo University read back from its files.
@Suite("Demo University's students")
struct UniversityDataTests {
    @Test("IMD and POLAR4 quintiles span 1-5 and go together")
    func quintiles() throws {
        let files = try DefaultDemo.get()
        let markers = try PupilMarkers.read(from: files, provider: .university)
        #expect(markers.count == 3_000)
        var imdCounts = [Int](repeating: 0, count: 6)
        var polarCounts = [Int](repeating: 0, count: 6)
        var polarByIMD: [Int: [Double]] = [:]
        for student in markers.values {
            let imd = try IMDQuintile(parsing: try #require(student.spells["imd_quintile"]?.first?.value)).value
            let polar = try POLAR4Quintile(parsing: try #require(student.spells["polar4_quintile"]?.first?.value)).value
            imdCounts[imd] += 1
            polarCounts[polar] += 1
            polarByIMD[imd, default: []].append(Double(polar))
        }
        for quintile in 1...5 {
            let share = Double(imdCounts[quintile]) / 3_000
            #expect(share > 0.12 && share < 0.28, "IMD quintile \(quintile): \(share)")
        }
        // POLAR4 quintiles are national fifths of young people, but a university's intake leans
        // towards high-participation areas: fewest from quintile 1, most from quintile 5.
        let polarShares = polarCounts.map { Double($0) / 3_000 }
        #expect(polarShares[1] > 0.07 && polarShares[1] < 0.18, "POLAR4 quintile 1: \(polarShares[1])")
        #expect(polarShares[5] > 0.2 && polarShares[5] < 0.36, "POLAR4 quintile 5: \(polarShares[5])")
        #expect(polarShares[1] < polarShares[3] && polarShares[3] < polarShares[5])
        let mostDeprived = mean(try #require(polarByIMD[1]))
        let leastDeprived = mean(try #require(polarByIMD[5]))
        #expect(leastDeprived - mostDeprived > 0.8, "POLAR4 should rise with IMD: \(mostDeprived) v \(leastDeprived)")
    }

    @Test("about four in five answer the SMC question, some prefer not to say; care leavers and estranged students exist")
    func backgroundMarkers() throws {
        let files = try DefaultDemo.get()
        let markers = try PupilMarkers.read(from: files, provider: .university)
        let answers = markers.values.compactMap { $0.spells["smc_parental_occupation"]?.first?.value }
        let answered = Double(answers.count) / 3_000
        #expect(answered > 0.75 && answered < 0.85, "declaration rate \(answered)")
        let parsed = try answers.map { try SMCParentalOccupation.parse($0) }
        #expect(parsed.contains(.preferNotToSay))
        let groups = Dictionary(grouping: parsed.compactMap(\.group), by: { $0 }).mapValues(\.count)
        #expect(groups.count == 3)
        let firstInFamily = Double(markers.values.filter { $0.spells["first_in_family"] != nil }.count) / 3_000
        #expect(firstInFamily > 0.3 && firstInFamily < 0.5, "first in family \(firstInFamily)")
        let careLeavers = markers.values.filter { $0.spells["care_leaver"] != nil }.count
        let estranged = markers.values.filter { $0.spells["estranged"] != nil }.count
        #expect(careLeavers >= 15 && careLeavers <= 45)
        #expect(estranged >= 8 && estranged <= 25)
    }

    @Test("about 8% of first years withdraw; support rows use the right funds and amounts")
    func continuationAndSupport() throws {
        let files = try DefaultDemo.get()
        var firstYears = Set<String>()
        var withdrew = Set<String>()
        for record in try files.records(.university, .students) {
            let student = try record.value("hesa_id")
            _ = try record.value("course")
            if try record.value("academic_year") == "2023/24" { firstYears.insert(student) }
            if let reason = record.optionalValue("leave_reason") {
                #expect(["withdrawn", "transferred"].contains(reason))
                _ = try #require(try record.optionalDate("leave_date"))
                if try record.value("academic_year") == "2023/24" { withdrew.insert(student) }
            }
        }
        let rate = Double(withdrew.count) / Double(firstYears.count)
        #expect(firstYears.count == 1_500)
        #expect(rate > 0.05 && rate < 0.11, "first-year withdrawal \(rate)")

        var types = Set<String>()
        for record in try files.records(.university, .support) {
            let type = try InterventionType.parse(try record.value("type"))
            types.insert(type.rawValue)
            let funding = record.optionalValue("funding_source").map { try? FundingSource.parse($0) } ?? nil
            let amount = try record.optionalValue("amount").map { try PoundsAndPence(parsing: $0) }
            switch type {
            case .bursary: #expect(funding == .bursaryFund && amount != nil)
            case .hardshipAward, .foodSupport, .housingSupport: #expect(funding == .hardshipFund && (amount?.pence ?? 0) > 0)
            default: #expect(type == .careExperiencedTransition)
            }
        }
        #expect(types == ["bursary", "hardship_award", "food_support", "housing_support", "care_experienced_transition"])
    }

    @Test("withdrawal is higher for lower socio-economic students, and lower among those given money")
    func withdrawalPattern() throws {
        let students = Array(try DemoGenerator(options: DemoOptions(seed: 11, cohortSize: 8_000, providers: [.university]))
            .universityStudents).filter { $0.intake.startYear == 2023 }
        func rate(_ list: [UniversityStudent]) -> Double { Double(list.filter { !$0.continued }.count) / Double(list.count) }
        let lower = students.filter(\.isLowerSocioEconomic)
        let others = students.filter { !$0.isLowerSocioEconomic }
        #expect(rate(lower) > rate(others) + 0.01, "LSEB \(rate(lower)) v others \(rate(others))")
        let supported = lower.filter(\.hadFinancialSupportInFirstYear)
        let unsupported = lower.filter { !$0.hadFinancialSupportInFirstYear }
        #expect(rate(supported) < rate(unsupported) - 0.02, "supported \(rate(supported)) v unsupported \(rate(unsupported))")
    }

    @Test("module marks are 0-100 and lower on average for lower socio-economic students")
    func marks() throws {
        let files = try DefaultDemo.get()
        let markers = try PupilMarkers.read(from: files, provider: .university)
        var byGroup: [Bool: [Double]] = [:]
        for record in try files.records(.university, .assessments) {
            #expect(try record.value("scale") == "he_mark")
            let mark = try AssessmentScale.heMark.score(try record.value("result"))
            let student = markers[try record.value("student")]
            let imd = Int(student?.spells["imd_quintile"]?.first?.value ?? "") ?? 3
            byGroup[imd == 1, default: []].append(mark)
        }
        let deprived = mean(try #require(byGroup[true]))
        let others = mean(try #require(byGroup[false]))
        #expect(others > 55 && others < 70)
        #expect(others - deprived > 1, "IMD Q1 mean mark \(deprived) v others \(others)")
    }
}
