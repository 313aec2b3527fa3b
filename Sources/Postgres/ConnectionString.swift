/// Builds libpq `keyword=value` connection strings with values quoted as libpq's
/// `conninfo_parse` expects (single quotes, backslash escapes), so paths with spaces work.
public enum ConnectionString {
    public static func make(_ settings: KeyValuePairs<String, String>) -> String {
        settings.map { "\($0.key)=\(quote($0.value))" }.joined(separator: " ")
    }

    public static func quote(_ value: String) -> String {
        var quoted = "'"
        for character in value {
            if character == "'" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        quoted.append("'")
        return quoted
    }

    /// The PG* variables that mean "the user has chosen a server"; any one of them set turns off
    /// the private cluster. (PGPASSWORD or PGSSLMODE alone configure *how*, not *where*.)
    public static let serverChoosingVariables = [
        "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE", "PGSERVICEFILE",
    ]

    /// True when the environment names a server, so an empty conninfo should be used as-is.
    public static func environmentNamesServer(_ environment: [String: String]) -> Bool {
        serverChoosingVariables.contains { environment[$0].map { !$0.isEmpty } ?? false }
    }
}
