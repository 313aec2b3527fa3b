/// The HTML report's stylesheet, inline so the page needs nothing from the network.
///
/// Screen: one column the width of an A4 page; on a phone, the summary cards two abreast and
/// each wide table scrolled sideways on its own rather than cut off at the screen's edge. Print: A4 portrait with 14 mm margins
/// (CSS Paged Media `@page size: A4`), colours kept (`print-color-adjust: exact`), headings
/// kept with what follows them, and table rows and charts never split across pages.
enum HTMLStyle {
    /// The self-contained page every HTML report is wrapped in: inline style, no external resources.
    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en-GB">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title))</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }

    static let css = """
    :root { --disadvantaged: #b4451f; --others: #1f5f8b; --ink: #111; --muted: #555; --rule: #ccc; --band: #f3f3f3; }
    * { box-sizing: border-box; }
    html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    body { margin: 0 auto; padding: 24px 32px 48px; max-width: 794px; color: var(--ink); background: #fff;
           font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 13px; line-height: 1.45; }
    header { border-bottom: 3px solid var(--others); padding-bottom: 10px; margin-bottom: 14px; }
    h1 { font-size: 22px; margin: 0 0 4px; }
    h1 .kicker { display: block; font-size: 12px; letter-spacing: 0.08em; text-transform: uppercase; color: var(--muted); }
    h2 { font-size: 16px; margin: 22px 0 8px; padding-bottom: 3px; border-bottom: 1px solid var(--rule); break-after: avoid; }
    h3 { font-size: 13.5px; margin: 14px 0 6px; break-after: avoid; }
    p { margin: 6px 0; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0 0; }
    dl.facts dt { font-weight: bold; color: var(--muted); }
    dl.facts dd { margin: 0; }
    .note { color: var(--muted); font-size: 12px; }
    .cards { display: grid; grid-template-columns: repeat(var(--cards, 4), 1fr); gap: 10px; margin: 12px 0 4px; }
    .card { border: 1px solid var(--rule); border-top: 4px solid var(--others); padding: 8px 10px; break-inside: avoid; }
    .card.disadvantaged { border-top-color: var(--disadvantaged); }
    .card .figure { font-size: 22px; font-weight: bold; display: block; }
    .card .what { font-size: 11.5px; color: var(--muted); }
    table { border-collapse: collapse; width: 100%; margin: 6px 0 8px; font-size: 12px; }
    thead { display: table-header-group; }
    tr { break-inside: avoid; }
    th, td { padding: 3px 6px; border-bottom: 1px solid #e2e2e2; vertical-align: top; }
    th { text-align: left; background: var(--band); border-bottom: 1px solid var(--rule); font-weight: bold; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    th.num { white-space: normal; }
    td .ci { display: block; font-size: 10.5px; color: var(--muted); }
    tr.family-start td { border-top: 1px solid #bbb; }
    tr.total td { font-weight: bold; border-top: 1px solid #999; }
    td.suppressed { color: var(--muted); font-style: italic; }
    figure { margin: 8px 0 10px; break-inside: avoid; }
    figcaption { font-size: 11.5px; color: var(--muted); margin-top: 2px; }
    svg.chart { display: block; max-width: 100%; height: auto; }
    ul.notes { margin: 4px 0; padding-left: 18px; font-size: 12px; }
    code, .checksum { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 11px; word-break: break-all; }
    footer { margin-top: 28px; padding-top: 6px; border-top: 1px solid var(--rule); font-size: 11px; color: var(--muted); }
    @media screen and (max-width: 600px) {
      body { padding: 14px 12px 32px; }
      .cards { grid-template-columns: repeat(2, 1fr); }
      table { display: block; overflow-x: auto; }
    }
    @page { size: A4 portrait; margin: 14mm 14mm 16mm; }
    @media print {
      body { max-width: none; padding: 0; font-size: 9.5pt; }
      h1 { font-size: 17pt; }
      h2 { font-size: 12.5pt; margin-top: 14pt; }
      table { font-size: 8.5pt; }
      .cards { gap: 6pt; }
      .card .figure { font-size: 15pt; }
      section { break-inside: auto; }
      figure, .cards, dl.facts { break-inside: avoid; }
      a { color: inherit; text-decoration: none; }
    }
    """
}
