import Foundation
import Testing
import GapTrackDomain

@Suite("Student characteristics and catalogues")
struct CharacteristicsTests {
    @Test("SEN status from census letters and friendly names")
    func sen() throws {
        #expect(try SENStatus.parse("E") == .ehcPlan)
        #expect(try SENStatus.parse("k") == .senSupport)
        #expect(try SENStatus.parse("N") == .noSEN)
        #expect(try SENStatus.parse("EHC Plan") == .ehcPlan)
        #expect(try SENStatus.parse("sen_support") == .senSupport)
        #expect(SENStatus.ehcPlan.censusCode == "E" && SENStatus.ehcPlan.rawValue == "ehc_plan")
        #expect(!SENStatus.noSEN.hasSEN)
        #expect(throws: UnrecognisedValueError.self) { try SENStatus.parse("S") }
        do {
            _ = try SENStatus.parse("S")
        } catch {
            #expect(error.description == "'S' is not a recognised SEN status; use one of: E (EHC plan), K (SEN support), N (no SEN)")
        }
    }

    @Test("EAL proficiency bands A-E with the DfE wording")
    func eal() throws {
        #expect(try EALProficiency.parse("A") == .newToEnglish)
        #expect(try EALProficiency.parse("New to English") == .newToEnglish)
        #expect(try EALProficiency.parse("Developing competence") == .developingCompetence)
        #expect(try EALProficiency.parse("e") == .fluent)
        #expect(EALProficiency.competent.band == "D" && EALProficiency.competent.level == 4)
        #expect(EALProficiency.newToEnglish < .fluent)
        #expect(throws: UnrecognisedValueError.self) { try EALProficiency.parse("F") }
    }

    @Test("SMC parental occupation: three groups, other and prefer-not-to-say excluded")
    func smc() throws {
        #expect(SMCParentalOccupation.modernProfessional.group == .professional)
        #expect(SMCParentalOccupation.traditionalProfessional.group == .professional)
        #expect(SMCParentalOccupation.seniorManagerOrAdministrator.group == .professional)
        #expect(SMCParentalOccupation.middleOrJuniorManager.group == .professional)
        #expect(SMCParentalOccupation.clericalAndIntermediate.group == .intermediate)
        #expect(SMCParentalOccupation.smallBusinessOwner.group == .intermediate)
        #expect(SMCParentalOccupation.technicalAndCraft.group == .lowerSocioEconomic)
        #expect(SMCParentalOccupation.semiRoutineManualAndService.group == .lowerSocioEconomic)
        #expect(SMCParentalOccupation.routineManualAndService.group == .lowerSocioEconomic)
        #expect(SMCParentalOccupation.longTermUnemployed.group == .lowerSocioEconomic)
        #expect(SMCParentalOccupation.other.group == nil && !SMCParentalOccupation.other.isDeclared)
        #expect(SMCParentalOccupation.preferNotToSay.group == nil)
        #expect(try SMCParentalOccupation.parse("Prefer not to say") == .preferNotToSay)
        #expect(try SMCParentalOccupation.parse("Semi-routine manual and service occupations") == .semiRoutineManualAndService)
        #expect(try SMCParentalOccupation.parse("Routine manual and service occupations") == .routineManualAndService)
        #expect(try SMCParentalOccupation.parse("Retired") == .other)
    }

    @Test("quintiles are 1 to 5")
    func quintiles() throws {
        #expect(try IMDQuintile(1).isMostDeprived)
        #expect(try POLAR4Quintile(parsing: " 5 ").value == 5)
        #expect(throws: QuintileError.self) { try IMDQuintile(0) }
        #expect(throws: QuintileError.self) { try POLAR4Quintile(6) }
        #expect(throws: QuintileError.self) { try POLAR4Quintile(parsing: "Q1") }
        #expect(String(decoding: try JSONEncoder().encode([try IMDQuintile(2)]), as: UTF8.self) == "[2]")
        // Each measure names itself in its messages and descriptions.
        #expect(throws: QuintileError.imd("0")) { try IMDQuintile(0) }
        #expect(throws: QuintileError.polar4("Q1")) { try POLAR4Quintile(parsing: "Q1") }
        #expect(try POLAR4Quintile(1).isLowestParticipation)
        #expect(try !IMDQuintile(2).isMostDeprived)
        #expect(try IMDQuintile(3).description == "IMD Q3")
        #expect(try POLAR4Quintile(4).description == "POLAR4 Q4")
        #expect(QuintileError.polar4("9").description.contains("1 (lowest participation) to 5 (highest)"))
        #expect(try IMDQuintile(1) < IMDQuintile(5))
        #expect(try JSONDecoder().decode([POLAR4Quintile].self, from: Data("[4]".utf8)) == [POLAR4Quintile(4)])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([IMDQuintile].self, from: Data("[6]".utf8)) }
    }

    @Test("disadvantage marker kinds have stable snake_case raw values")
    func markerKinds() throws {
        #expect(DisadvantageMarkerKind.allCases.map(\.rawValue) == [
            "fsm", "fsm_ever_6", "pupil_premium", "looked_after", "previously_looked_after", "eal", "refugee_or_asylum_seeker", "sen",
            "young_carer", "service_child", "imd_quintile", "polar4_quintile", "first_in_family",
            "care_leaver", "estranged", "smc_parental_occupation",
        ])
        #expect(DisadvantageMarkerKind.allCases.filter(\.feedsDfEDisadvantagedMeasure) == [.fsm, .fsmEver6, .lookedAfter, .previouslyLookedAfter])
        #expect(try DisadvantageMarkerKind.parse("Ever 6") == .fsmEver6)
        #expect(try DisadvantageMarkerKind.parse("PP") == .pupilPremium)
        #expect(try DisadvantageMarkerKind.parse("PLAC") == .previouslyLookedAfter)
    }

    @Test("intervention catalogue parses friendly spellings")
    func interventions() throws {
        #expect(try InterventionType.parse("Cost of living award") == .hardshipAward)
        #expect(try InterventionType.parse("Hardship") == .hardshipAward)
        #expect(try InterventionType.parse("Laptop") == .deviceOrData)
        #expect(try InterventionType.parse("care_experienced_transition") == .careExperiencedTransition)
        #expect(try InterventionType.parse("Language Support") == .languageSupport)
        #expect(try FundingSource.parse("Pupil Premium") == .pupilPremium)
        #expect(try FundingSource.parse("recovery premium") == .recovery)
        #expect(try SupportStatus.parse("In progress") == .active)
        #expect(try SupportStatus.parse("Completed") == .ended)
        #expect(try SupportStatus.parse("canceled") == .cancelled)
        #expect(InterventionType.allCases.map(\.rawValue).contains("device_or_data"))
        #expect(throws: UnrecognisedValueError.self) { try InterventionType.parse("Detention") }
        do {
            _ = try FundingSource.parse("Lottery")
        } catch {
            #expect(error.description.contains("pupil_premium, recovery, bursary_fund, hardship_fund, other"))
        }
    }

    @Test("every raw value and friendly spelling means exactly one value of its type")
    func spellingsAreUnambiguous() {
        func check<T: CaseIterable & RawRepresentable>(_ type: T.Type, _ spellings: (T) -> [String]) where T.RawValue == String {
            var seen: [String: String] = [:]
            for value in T.allCases {
                for spelling in [value.rawValue] + spellings(value) {
                    let key = spelling.lowercased().filter { $0.isLetter || $0.isNumber }
                    if let other = seen[key], other != value.rawValue {
                        Issue.record("'\(spelling)' means both \(other) and \(value.rawValue) in \(T.self)")
                    }
                    seen[key] = value.rawValue
                }
            }
        }
        check(SENStatus.self, \.alternativeSpellings)
        check(EALProficiency.self, \.alternativeSpellings)
        check(SMCParentalOccupation.self, \.alternativeSpellings)
        check(DisadvantageMarkerKind.self, \.alternativeSpellings)
        check(InterventionType.self, \.alternativeSpellings)
        check(FundingSource.self, \.alternativeSpellings)
        check(SupportStatus.self, \.alternativeSpellings)
        check(AssessmentScale.self, \.alternativeSpellings)
        check(DegreeClass.self, \.alternativeSpellings)
    }
}

@Suite("Money")
struct MoneyTests {
    @Test("parsing pounds and pence", arguments: [
        ("£1,234.56", 123_456), ("1234.5", 123_450), ("1234", 123_400), ("£0.99", 99), (".50", 50),
        (" £ 12 ", 1_200), ("1,000,000", 100_000_000), ("0", 0), ("£1,234", 123_400),
    ])
    func parsing(text: String, pence: Int) throws {
        #expect(try PoundsAndPence(parsing: text).pence == pence)
    }

    @Test("rejected amounts say why", arguments: [
        ("-5", MoneyError.negative("-5")), ("(5.00)", .negative("(5.00)")), ("£-5", .negative("£-5")),
        ("1.234", .tooManyDecimalPlaces("1.234")), ("12,34", .unrecognisedFormat("12,34")),
        ("abc", .unrecognisedFormat("abc")), ("", .empty), ("12.", .unrecognisedFormat("12.")),
        ("£", .unrecognisedFormat("£")), ("1 234", .unrecognisedFormat("1 234")),
        ("99999999999", .tooLarge("99999999999")),
    ])
    func rejected(text: String, error: MoneyError) {
        #expect(throws: error) { try PoundsAndPence(parsing: text) }
    }

    @Test("formatting")
    func formatting() throws {
        #expect(try PoundsAndPence(pence: 123_456).formatted == "£1,234.56")
        #expect(PoundsAndPence.zero.formatted == "£0.00")
        #expect(try PoundsAndPence(pence: 5).formatted == "£0.05")
        #expect(try PoundsAndPence(pence: 100_000_000).formatted == "£1,000,000.00")
        #expect(try PoundsAndPence(pence: 99_900).formatted == "£999.00")
        #expect(try PoundsAndPence(pence: 123_456).plainDecimal == "1234.56")
        #expect(MoneyError.tooManyDecimalPlaces("1.234").description.contains("more than two decimal places"))
    }

    @Test("arithmetic is exact")
    func arithmetic() throws {
        // 0.1 + 0.2 in floating point is 0.30000000000000004; in pence it is exactly 30.
        let sum = try PoundsAndPence(parsing: "0.10") + PoundsAndPence(parsing: "0.20")
        #expect(sum == (try PoundsAndPence(parsing: "0.30")))
        #expect([try PoundsAndPence(pence: 1), try PoundsAndPence(pence: 2)].total().pence == 3)
        #expect((PupilPremiumRates.fy2024to25.fsmEver6Primary * 30).formatted == "£44,400.00")
        #expect(String(decoding: try JSONEncoder().encode([try PoundsAndPence(pence: 150)]), as: UTF8.self) == "[150]")
    }
}

@Suite("Pupil premium rates")
struct PupilPremiumRatesTests {
    @Test("2024-25 and 2025-26 rates per pupil")
    func rates() throws {
        let r2024 = PupilPremiumRates.fy2024to25
        #expect(r2024.fsmEver6Primary.formatted == "£1,480.00")
        #expect(r2024.fsmEver6Secondary.formatted == "£1,050.00")
        #expect(r2024.lookedAfterOrPreviouslyLookedAfter.formatted == "£2,570.00")
        #expect(r2024.servicePupil.formatted == "£340.00")
        let r2025 = PupilPremiumRates.fy2025to26
        #expect(r2025.fsmEver6Primary.formatted == "£1,515.00")
        #expect(r2025.fsmEver6Secondary.formatted == "£1,075.00")
        #expect(r2025.lookedAfterOrPreviouslyLookedAfter.formatted == "£2,630.00")
        #expect(r2025.servicePupil.formatted == "£350.00")
        #expect(r2025.financialYearLabel == "2025-26")
    }

    @Test("financial years run from 1 April")
    func financialYear() throws {
        #expect(PupilPremiumRates.forFinancialYear(containing: try CalendarDate(parsing: "2025-03-31")) == .fy2024to25)
        #expect(PupilPremiumRates.forFinancialYear(containing: try CalendarDate(parsing: "2025-04-01")) == .fy2025to26)
        #expect(PupilPremiumRates.forFinancialYear(startingIn: 2019) == nil)
    }
}
