import DataProtection
import Testing

@Suite struct PseudonymiserTests {
    @Test("one key gives one pseudonym per student; another key gives unrelated ones")
    func stableWithinAnExportUnlinkableAcross() {
        let one = Pseudonymiser(key: Array(repeating: 1, count: 32))
        let same = Pseudonymiser(key: Array(repeating: 1, count: 32))
        let other = Pseudonymiser(key: Array(repeating: 2, count: 32))
        #expect(one.pseudonym(for: 42) == same.pseudonym(for: 42))
        #expect(one.pseudonym(for: 42) != one.pseudonym(for: 43))
        #expect(one.pseudonym(for: 42) != other.pseudonym(for: 42))
        #expect(one.pseudonym(for: 42).count == 21 && one.pseudonym(for: 42).hasPrefix("S"))
        // The pseudonym is not the id in any readable form.
        #expect(!one.pseudonym(for: 4_242_424).contains("4242424"))
        // Two fresh pseudonymisers (random keys) agree on nothing over a thousand students.
        let a = Pseudonymiser(), b = Pseudonymiser()
        let first = Set((1...1000).map { a.pseudonym(for: $0) })
        #expect(first.count == 1000)
        #expect(first.isDisjoint(with: Set((1...1000).map { b.pseudonym(for: $0) })))
    }

    @Test("the pseudonym is HMAC-SHA-256 of the id's text under the key (RFC 2104), cut to 80 bits")
    func knownAnswer() {
        // Worked with Python: hmac.new(bytes(32), b"gaptrack student 7", hashlib.sha256).hexdigest()[:20]
        #expect(Pseudonymiser(key: Array(repeating: 0, count: 32)).pseudonym(for: 7) == "S8432708ddca2c7004312")
    }
}

@Suite struct KAnonymityTests {
    static func record(_ id: Int, _ year: Int, _ month: Int, _ gender: String, _ ethnicity: String, disadvantaged: Bool = false,
                       sen: String? = nil, eal: Bool = false) -> KAnonymity.Record {
        .init(id: id, birthYear: year, birthMonth: month, gender: gender, ethnicity: ethnicity, disadvantaged: disadvantaged, sen: sen, eal: eal)
    }

    @Test("a table already k-anonymous is released at the finest level, unchanged")
    func finestLevel() {
        let records = (1...6).map { Self.record($0, 2009, 3, "F", "WBRI") } + (7...12).map { Self.record($0, 2009, 4, "M", "APKN") }
        let outcome = KAnonymity.anonymise(records, k: 5)
        #expect(outcome.level == 0 && outcome.suppressed == 0 && outcome.withheld.isEmpty)
        #expect(outcome.released[1]?.fields == ["2009-03", "F", "WBRI", "N", "N", "N"])
    }

    @Test("birth months and ethnicity codes are coarsened until the small classes are few, then those are suppressed")
    func handWorked() {
        // 20 pupils born in 2009: months vary (no month has 5), all white British or Irish, girls and boys.
        var records: [KAnonymity.Record] = []
        for id in 1...10 { records.append(Self.record(id, 2009, id, "F", id % 2 == 0 ? "WBRI" : "WIRI")) }
        for id in 11...20 { records.append(Self.record(id, 2009, id - 10, "M", "WBRI")) }
        // One boy with an EHC plan: alone in his class at every level.
        records.append(Self.record(21, 2009, 1, "M", "WBRI", sen: "E"))
        let outcome = KAnonymity.anonymise(records, k: 5, maxSuppressedShare: 0.05)
        // Level 0 (month): every class is under 5. Level 1 (year, ethnic group): F/white 10, M/white 10, M/white/E 1:
        // 1 of 21 students (4.8%) is in a small class, within 5%.
        #expect(outcome.level == 1)
        #expect(outcome.released[1]?.fields == ["2009", "F", "white", "N", "N", "N"])
        // The one student in a small class is fewer than k once suppressed, so is withheld.
        #expect(outcome.withheld == [21] && outcome.suppressed == 0 && outcome.released[21] == nil)
    }

    @Test("whatever the data, every released combination is shared by at least k students and nobody is lost silently")
    func property() {
        var generator = SystemRandomNumberGenerator()
        let ethnicities = ["WBRI", "WIRI", "APKN", "AIND", "BCRB", "MWBC", "CHNE", "OOTH", "REFU"]
        for trial in 0..<200 {
            let k = [2, 3, 5, 10][trial % 4]
            let count = Int.random(in: 0...120, using: &generator)
            let records = (0..<count).map { id in
                Self.record(id, Int.random(in: 2007...2010, using: &generator), Int.random(in: 1...12, using: &generator),
                            ["F", "M", "X"].randomElement(using: &generator)!, ethnicities.randomElement(using: &generator)!,
                            disadvantaged: Bool.random(using: &generator), sen: [nil, nil, "K", "E"].randomElement(using: &generator)!,
                            eal: Bool.random(using: &generator))
            }
            let outcome = KAnonymity.anonymise(records, k: k)
            #expect(outcome.released.count + outcome.withheld.count == count)
            #expect(outcome.withheld.count < k)
            let classes = Dictionary(grouping: outcome.released.values) { $0 }
            #expect(classes.values.allSatisfy { $0.count >= k }, "k = \(k): \(classes.mapValues(\.count))")
        }
    }
}
