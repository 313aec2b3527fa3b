import Foundation
import Testing
import GapTrackDomain

@Suite("UPN")
struct UPNTests {
    @Test("the worked example of docs/methodology.md is valid")
    func validExample() throws {
        // Characters 2-13 of B801200005001 are 8 0 1 2 0 0 0 0 5 0 0 1, weights 2..13:
        // 2x8 + 3x0 + 4x1 + 5x2 + 6x0 + 7x0 + 8x0 + 9x0 + 10x5 + 11x0 + 12x0 + 13x1
        // = 16 + 4 + 10 + 50 + 13 = 93; 93 = 4x23 + 1; index 1 of ABCDEFGHJKLMNPQRTUVWXYZ is B.
        let upn = try UPN("B801200005001")
        #expect(upn.value == "B801200005001")
        #expect(upn.checkLetter == "B")
        #expect(upn.localAuthorityCode == "801")
        #expect(upn.localAuthority.name == "Bristol, City of")
        #expect(upn.establishmentNumber == "2000")
        #expect(upn.yearOfAllocation == "05")
        #expect(upn.serial == "001")
        #expect(!upn.isTemporary)
    }

    @Test("a changed last digit gives a wrong check letter, naming the expected letter")
    func wrongCheckLetter() {
        // B801200005002: the last digit goes from 1 to 2, adding 13x1 to the sum: 93 + 13 = 106;
        // 106 = 4x23 + 14; index 14 is Q. So the check letter should be Q, not B.
        #expect(throws: UPNError.wrongCheckLetter(upn: "B801200005002", expected: "Q", found: "B")) {
            try UPN("B801200005002")
        }
        #expect((try? UPN("Q801200005002")) != nil)
        let message = UPNError.wrongCheckLetter(upn: "B801200005002", expected: "Q", found: "B").description
        #expect(message.contains("UPN 'B801200005002' has a wrong check letter: expected 'Q', found 'B'"))
    }

    @Test("the widely copied vendor example is wrong: the right check letter is P, not Q")
    func vendorExampleArithmeticError() throws {
        // Characters 2-13 of ?207000016049: 2 0 7 0 0 0 0 1 6 0 4 9.
        // 2x2 + 3x0 + 4x7 + 5x0 + 6x0 + 7x0 + 8x0 + 9x1 + 10x6 + 11x0 + 12x4 + 13x9
        // = 4 + 28 + 9 + 60 + 48 + 117 = 266 (the help page says 267).
        // 266 = 11x23 + 13; index 13 is P (A0 B1 C2 D3 E4 F5 G6 H7 J8 K9 L10 M11 N12 P13 Q14).
        #expect(try UPN("P207000016049").localAuthority.name == "Kensington and Chelsea")
        #expect(throws: UPNError.wrongCheckLetter(upn: "Q207000016049", expected: "P", found: "Q")) {
            try UPN("Q207000016049")
        }
        #expect(throws: UPNError.wrongCheckLetter(upn: "B207000016049", expected: "P", found: "B")) {
            try UPN("B207000016049")
        }
    }

    @Test("a temporary UPN's final letter counts as its index in the check alphabet")
    func temporaryUPN() throws {
        // M80120000500A: as B801200005001 but with A (index 0) in place of the final 1:
        // 93 - 13x1 + 13x0 = 80; 80 = 3x23 + 11; index 11 is M.
        let temporary = try UPN("M80120000500A")
        #expect(temporary.isTemporary)
        // Y80120000500Z: Z is index 22: 80 + 13x22 = 80 + 286 = 366 = 15x23 + 21; index 21 is Y.
        #expect(try UPN("Y80120000500Z").isTemporary)
        // The final letter must come from the check alphabet (no I, O or S).
        #expect(throws: UPNError.invalidCharacter(upn: "M80120000500I", position: 13, found: "I",
                                                  expected: "a digit, or for a temporary UPN a letter A-Z except I, O and S")) {
            try UPN("M80120000500I")
        }
    }

    @Test("characters 2-4 must be a DfE local authority number")
    func unknownLocalAuthority() throws {
        // T999200005001 has a correct check letter but LA 999 does not exist:
        // 2x9 + 3x9 + 4x9 + 5x2 + 10x5 + 13x1 = 18 + 27 + 36 + 10 + 50 + 13 = 154;
        // 154 = 6x23 + 16; index 16 is T.
        #expect(throws: UPNError.unrecognisedLocalAuthority(upn: "T999200005001", code: "999")) {
            try UPN("T999200005001")
        }
        // A Welsh authority is recognised (pupils who move from Wales keep their UPN):
        // M660200005001: 2x6 + 3x6 + 4x0 + 5x2 + 10x5 + 13x1 = 12 + 18 + 10 + 50 + 13 = 103;
        // 103 = 4x23 + 11; index 11 is M.
        #expect(try UPN("M660200005001").localAuthority.nation == .wales)
    }

    @Test("every DfE local authority number can form a valid UPN")
    func everyLocalAuthorityAccepted() throws {
        for authority in LocalAuthority.all {
            let body = Array(authority.code + "123405678")
            let letter = try #require(UPN.checkLetter(forCharacters2to13: body))
            let upn = try UPN(String(letter) + authority.code + "123405678")
            #expect(upn.localAuthority == authority)
        }
        #expect(LocalAuthority.all.count == Set(LocalAuthority.all.map(\.code)).count)
        #expect(LocalAuthority.withCode("938")?.name == "West Sussex")
        #expect(LocalAuthority.withCode("201")?.name == "City of London")
        #expect(LocalAuthority.withCode("909")?.isCurrent == false)
    }

    @Test("length, characters, case and spaces")
    func shape() throws {
        #expect(throws: UPNError.wrongLength(upn: "B80120000500", length: 12)) { try UPN("B80120000500") }
        #expect(throws: UPNError.wrongLength(upn: "B8012000050011", length: 14)) { try UPN("B8012000050011") }
        #expect(throws: UPNError.invalidCharacter(upn: "I801200005001", position: 1, found: "I",
                                                  expected: "a check letter (A-Z except I, O and S)")) {
            try UPN("I801200005001")
        }
        #expect(throws: UPNError.invalidCharacter(upn: "B80120000X001", position: 10, found: "X", expected: "a digit")) {
            try UPN("B80120000X001")
        }
        #expect(try UPN("  b801200005001 ").value == "B801200005001")
    }

    @Test("Codable round trip validates on decoding")
    func codable() throws {
        let data = try JSONEncoder().encode([try UPN("B801200005001")])
        #expect(String(decoding: data, as: UTF8.self) == "[\"B801200005001\"]")
        #expect(try JSONDecoder().decode([UPN].self, from: data) == [try UPN("B801200005001")])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([UPN].self, from: Data("[\"B801200005002\"]".utf8))
        }
    }
}

@Suite("ULN")
struct ULNTests {
    @Test("the worked example of docs/methodology.md is valid")
    func validExample() throws {
        // 9276308686 with weights 10..1:
        // 10x9 + 9x2 + 8x7 + 7x6 + 6x3 + 5x0 + 4x8 + 3x6 + 2x8 + 1x6
        // = 90 + 18 + 56 + 42 + 18 + 0 + 32 + 18 + 16 + 6 = 296; 296 = 26x11 + 10. Valid.
        #expect(try ULN("9276308686").value == "9276308686")
        // 1234567899: digits 1-9 with weights 10..2: 10 + 18 + 24 + 28 + 30 + 30 + 28 + 24 + 18
        // = 210; r = 210 mod 11 = 1; check digit = 10 - 1 = 9. Total 219 = 19x11 + 10. Valid.
        #expect(try ULN(" 1234567899 ").value == "1234567899")
    }

    @Test("the ILR placeholder 9999999999 fails on purpose")
    func placeholder() {
        // 9 x (10 + 9 + ... + 1) = 9 x 55 = 495 = 45x11 + 0, not 10.
        #expect(throws: ULNError.placeholder) { try ULN("9999999999") }
    }

    @Test("a mistyped digit fails the check")
    func failsCheck() {
        // 9276308687: the last digit has weight 1, so the sum is 297 = 27x11 + 0.
        #expect(throws: ULNError.failsCheck(uln: "9276308687")) { try ULN("9276308687") }
    }

    @Test("shape rules")
    func shape() {
        #expect(throws: ULNError.wrongLength(uln: "927630868", length: 9)) { try ULN("927630868") }
        #expect(throws: ULNError.startsWithZero(uln: "0276308686")) { try ULN("0276308686") }
        #expect(throws: ULNError.notADigit(uln: "92763O8686", position: 6, found: "O")) { try ULN("92763O8686") }
        #expect(ULNError.placeholder.description.contains("placeholder"))
    }
}

@Suite("Provider and HE identifiers")
struct ProviderIdentifierTests {
    @Test("URN is 6 digits")
    func urn() throws {
        #expect(try URN("100000").value == "100000")
        #expect(throws: IdentifierShapeError.self) { try URN("10000") }
        #expect(throws: IdentifierShapeError.self) { try URN("10000A") }
    }

    @Test("UKPRN is 8 digits starting with 1")
    func ukprn() throws {
        #expect(try UKPRN("10007788").value == "10007788")
        #expect(throws: IdentifierShapeError.self) { try UKPRN("20007788") }
        #expect(throws: IdentifierShapeError.self) { try UKPRN("1000778") }
        do {
            _ = try UKPRN("2000778")
            Issue.record("a 7-digit UKPRN was accepted")
        } catch {
            #expect(error.description.hasPrefix("UKPRN '2000778' is not valid: it should be 8 digits starting with 1"))
        }
    }

    @Test("HUSID is 13 digits")
    func husid() throws {
        #expect(try HESAStudentID("1712345678901").value == "1712345678901")
        #expect(throws: IdentifierShapeError.self) { try HESAStudentID("171234567890") }
        #expect(throws: IdentifierShapeError.self) { try HESAStudentID("17123456789O1") }
    }
}
