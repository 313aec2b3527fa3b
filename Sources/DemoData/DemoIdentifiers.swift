import GapTrackDomain

/// Identifiers that pass gaptrack's own checks and are unique within a run.
enum DemoIdentifiers {
    /// A UPN whose check letter is computed with `UPN.checkLetter(forCharacters2to13:)`.
    ///
    /// A UPN is allocated when a child first joins a state school, so for most pupils it names
    /// the primary school where they started in Reception and the year they started. Unique
    /// within a cohort because (establishment, serial) is a one-to-one function of the pupil's
    /// index (999 serials per establishment number, establishment numbers 2000-3999: room for
    /// 1,998,000 pupils), and unique across cohorts because each cohort started Reception in a
    /// different year.
    static func upn(localAuthority: String, receptionYear: Int, indexInCohort: Int) -> String {
        let establishment = 2000 + indexInCohort / 999
        let serial = indexInCohort % 999 + 1
        let body = localAuthority + digits(establishment, width: 4) + digits(receptionYear % 100, width: 2)
            + digits(serial, width: 3)
        let letter = UPN.checkLetter(forCharacters2to13: Array(body))!
        return String(letter) + body
    }

    /// A ULN: nine digits and the check digit of the ILR rule (weights 10..2, r = sum mod 11,
    /// check digit 10 - r, r = 0 not allowed; see `ULN`).
    ///
    /// Bases are even numbers from `base`, one per student; when an even base has r = 0 the
    /// next odd number is used instead, which no other student's base can be (adding 1 to the
    /// last of the nine digits adds 2 to the weighted sum, so r becomes 2).
    static func uln(index: Int, base: Int = 412_000_000) -> String {
        var nine = base + 2 * index
        if remainder(nine) == 0 { nine += 1 }
        return String(nine) + String(10 - remainder(nine))
    }

    private static func remainder(_ nine: Int) -> Int {
        var sum = 0
        var value = nine
        for weight in 2...10 {
            sum += weight * (value % 10)
            value /= 10
        }
        return sum % 11
    }

    /// A HESA student identifier (HUSID) of the published shape: two digits of the entry year,
    /// the provider's four-digit HESA institution id, a six-digit serial and a final digit.
    /// gaptrack checks only the shape (13 digits); the final digit here is a simple weighted
    /// checksum of our own, not HESA's check-digit algorithm.
    static func husid(entryYear: Int, institution: Int, serial: Int) -> String {
        let body = digits(entryYear % 100, width: 2) + digits(institution, width: 4) + digits(serial, width: 6)
        var sum = 0
        for (offset, character) in body.enumerated() { sum += (offset % 2 == 0 ? 3 : 1) * character.wholeNumberValue! }
        return body + String((10 - sum % 10) % 10)
    }

    static func digits(_ value: Int, width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
