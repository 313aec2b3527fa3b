/// Years for which the DfE publishes no Progress 8 at all, with the DfE's own reason, so a KS4
/// section says "not published" rather than implying a figure exists that gaptrack failed to find
/// (docs/methodology.md §8.3).
public enum NationalProgress8 {
    /// The DfE's KS2 tests of 2020 and 2021 were cancelled, so the pupils who sat GCSEs in 2025
    /// and 2026 have no KS2 baseline.
    public static let notPublished: [Int: String] = [2025: dfeReason, 2026: dfeReason]

    public static let dfeReason =
        "\"It is not possible to calculate Progress 8 for academic years 2024/25 and 2025/26 due to gaps in the baseline "
        + "caused by COVID-19 disruption\""

    public static let source = Citation(
        publisher: "Department for Education", title: "Key stage 4 performance 2024/25, data guidance",
        url: "https://explore-education-statistics.service.gov.uk/find-statistics/key-stage-4-performance/2024-25/data-guidance")

    /// "not published for 2024/25: DfE: …", or nil for a year the DfE publishes Progress 8.
    public static func notPublishedText(resultsYear: Int) -> String? {
        guard let reason = notPublished[resultsYear] else { return nil }
        let year = "\(resultsYear - 1)/" + String(format2: resultsYear % 100)
        return "not published for \(year): \(source.publisher): \(reason) (\(source.title), \(source.url))"
    }
}
