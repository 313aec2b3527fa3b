import GapTrackDomain
import Testing

/// The type's range is the amount column's, numeric(12, 2) (sql/001_baseline.sql): ten digits of
/// pounds and two of pence, so £9,999,999,999.99 and not a penny more.
@Suite struct MoneyRangeTests {
    @Test func theLargestAmountIsTheColumnsAndOnePennyMoreIsRefused() throws {
        #expect(PoundsAndPence.maximumPence == 999_999_999_999)
        #expect(try PoundsAndPence(parsing: "9,999,999,999.99").pence == 999_999_999_999)
        #expect(try PoundsAndPence(pence: 999_999_999_999) == PoundsAndPence.largest)
        #expect(PoundsAndPence.largest.plainDecimal == "9999999999.99")
        for text in ["10000000000", "10000000000.00", "£10,000,000,000", "9999999999.995"] {
            #expect(throws: MoneyError.self, "\(text)") { try PoundsAndPence(parsing: text) }
        }
        #expect(throws: MoneyError.tooLarge("1000000000000p")) { try PoundsAndPence(pence: 1_000_000_000_000) }
        #expect(throws: MoneyError.tooLarge("£10000000000")) { try PoundsAndPence(pounds: 10_000_000_000) }
        let message = MoneyError.tooLarge("10000000000").description
        #expect(message.contains("£9,999,999,999.99"), "\(message)")
    }
}
