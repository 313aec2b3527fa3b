import Foundation
import Postgres
import TestDatabase
import Testing

/// The schema is ready to be distributed by provider (Citus; docs/scaling.md): walking the
/// catalogue of a migrated database, every provider-owned table carries `provider_id` in its
/// primary key, in each unique and exclusion constraint and unique index, and in each foreign key
/// to another provider-owned table (at the same place on both sides); every table without it is
/// a named shared catalogue (a reference table), and no shared catalogue points at a
/// provider-owned table. What does not hold yet is named below with its reason, and
/// docs/scaling.md has the plan for each; anything else fails, and so does an exception that no
/// longer occurs.
@Suite("Shard-ready schema")
struct ShardReadyTests {
    /// Shared catalogues: national code lists, calendars and figures, and the migration ledgers.
    /// Each is a reference table, copied to every node.
    static let sharedCatalogues = [
        "academic_years", "assessment_scales", "attendance_codes", "bank_holidays", "census_days", "funding_sources",
        "intervention_types", "marker_kinds", "provider_groups", "pupil_premium_tier_defaults", "restricted_marker_kinds",
        "smc_parental_occupations", "terms", "schema_migrations", "schema_definitions",
    ]

    /// Tables that carry `provider_id` but are reference tables all the same.
    static let referenceTablesWithProviderID = [
        // The directory of providers: small, read by every node's joins, and the target of every
        // provider_id foreign key; its codes, URNs and UKPRNs are unique across the deployment.
        "providers",
        // Tokens: a token is looked up by its hash on every request, before its provider is known,
        // and a group's token has no provider (015_provider_groups.sql); small, so copied to every node.
        "api_tokens",
    ]

    /// What does not hold yet, each with its reason (docs/scaling.md, "Shard-ready keys").
    static let exceptions: [(violation: String, reason: String)] = [
        // Surrogate keys drawn from one sequence or random across the deployment: unique already,
        // but the distributed key must lead the primary key for Citus to accept it.
        ("assessment_points: unique constraint assessment_points_assessment_point_id_scale_key (assessment_point_id, scale) lacks provider_id",
         "the target of assessment_results' foreign key; moves with it"),
        ("audit_log: primary key (audit_id) lacks provider_id", "append-only ledger, some entries belong to no provider; plan: distributed by provider_id with NULL on the coordinator"),
        ("imports: primary key (import_id) lacks provider_id", "the target of the pupil-level tables' foreign keys by import_id alone (below); moves with them"),
        ("students: primary key (student_id) lacks provider_id", "the target of the pupil-level tables' foreign keys by student_id alone (below); moves with them"),
        // Pupil-level tables that reach their provider through student_id.
        ("assessment_results: no provider_id, and not a shared catalogue", "reaches its provider through student_id; plan: add provider_id"),
        ("attendance_mark_history: no provider_id, and not a shared catalogue", "reaches its provider through student_id; plan: add provider_id"),
        ("attendance_marks: no provider_id, and not a shared catalogue", "partitioned by term; plan: add provider_id and lead each term's key with it"),
        ("enrolments: no provider_id, and not a shared catalogue", "reaches its provider through student_id; plan: add provider_id"),
        ("student_markers: no provider_id, and not a shared catalogue", "reaches its provider through student_id; plan: add provider_id"),
        // The machinery's own tables.
        ("data_changes: no provider_id, and not a shared catalogue", "the report cache's change log, by transaction id: local to each node"),
        ("report_snapshot_horizon: no provider_id, and not a shared catalogue", "one row per database: local to each node"),
        ("report_snapshots: no provider_id, and not a shared catalogue", "the report cache, keyed by text naming the provider; local to each node"),
        ("import_audit_scopes: no provider_id, and not a shared catalogue", "per-transaction audit scope of an import: local to the node that runs it"),
        ("web_sign_in_attempts: no provider_id, and not a shared catalogue", "throttles sign-in before the provider is known"),
    ]

    /// Every violation, one line each, found by walking pg_catalog.
    static func violations(_ connection: PostgresConnection) throws -> [String] {
        try connection.query(
            """
            WITH tables AS (
                SELECT c.oid, c.relname::text AS name,
                       EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'provider_id' AND NOT a.attisdropped)
                           AND c.relname::text <> ALL ($2) AS owned
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            ),
            keys AS (
                SELECT t.name, t.owned, con.conname::text AS key, con.contype::text AS kind, r.name AS target,
                       coalesce(r.owned, false) AS target_owned,
                       (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
                            JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num) AS cols,
                       (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
                            JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num) AS target_cols
                FROM tables t JOIN pg_constraint con ON con.conrelid = t.oid LEFT JOIN tables r ON r.oid = con.confrelid
                WHERE con.contype IN ('p', 'u', 'x', 'f')
            )
            SELECT v FROM (
                SELECT name || ': no primary key' AS v FROM tables t
                WHERE owned AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conrelid = t.oid AND c.contype = 'p')
                UNION ALL
                SELECT name || ': ' || CASE kind WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique constraint ' || key
                                                 ELSE 'exclusion constraint ' || key END
                       || ' (' || array_to_string(cols, ', ') || ') lacks provider_id'
                FROM keys WHERE owned AND kind IN ('p', 'u', 'x') AND NOT 'provider_id' = ANY (cols)
                UNION ALL
                SELECT t.name || ': unique index ' || i.indexrelid::regclass::text || ' lacks provider_id'
                FROM tables t JOIN pg_index i ON i.indrelid = t.oid
                WHERE t.owned AND i.indisunique AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                  AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attname = 'provider_id' AND a.attnum = ANY (i.indkey))
                UNION ALL
                SELECT name || ': foreign key ' || key || ' (' || array_to_string(cols, ', ') || ') to ' || target || ' lacks provider_id'
                FROM keys WHERE kind = 'f' AND owned AND target_owned
                  AND NOT EXISTS (SELECT FROM generate_subscripts(cols, 1) s WHERE cols[s] = 'provider_id' AND target_cols[s] = 'provider_id')
                UNION ALL
                SELECT name || ': no provider_id, and not a shared catalogue' FROM tables WHERE NOT owned AND name <> ALL ($1) AND name <> ALL ($2)
                UNION ALL
                SELECT name || ': shared catalogue with a foreign key ' || key || ' to provider-owned ' || target
                FROM keys WHERE kind = 'f' AND NOT owned AND target_owned AND (name = ANY ($1) OR name = ANY ($2))
                UNION ALL
                SELECT name || ': named a shared catalogue but carries provider_id' FROM tables t
                WHERE name = ANY ($1) AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attname = 'provider_id' AND NOT a.attisdropped)
            ) found ORDER BY v
            """, ["{" + sharedCatalogues.joined(separator: ",") + "}", "{" + referenceTablesWithProviderID.joined(separator: ",") + "}"]
        ).rows.map { try $0.decode("v") }
    }

    @Test("every provider-owned table is keyed by provider, or is a named exception with its reason")
    func catalogueIsShardReady() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let found = try Self.violations(connection)
            let allowed = Set(Self.exceptions.map(\.violation))
            let unexpected = found.filter { !allowed.contains($0) }
            #expect(unexpected.isEmpty, "not shard-ready (key the table by provider_id, or name it with its reason): \(unexpected)")
            let stale = allowed.subtracting(found).sorted()
            #expect(stale.isEmpty, "no longer violated, so no longer an exception: \(stale)")
        }
    }

    @Test("a new provider-owned table keyed without provider_id is found")
    func theWalkFindsANewViolation() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try connection.execute(
                """
                CREATE TABLE pupil_notes (note_id bigint PRIMARY KEY, provider_id bigint NOT NULL REFERENCES providers,
                    student_id bigint NOT NULL, UNIQUE (provider_id, student_id),
                    FOREIGN KEY (student_id, provider_id) REFERENCES students (student_id, provider_id));
                CREATE TABLE note_kinds (kind text PRIMARY KEY, note_id bigint REFERENCES pupil_notes)
                """)
            let found = Set(try Self.violations(connection))
            #expect(found.contains("pupil_notes: primary key (note_id) lacks provider_id"))
            #expect(found.contains("note_kinds: no provider_id, and not a shared catalogue"))
            #expect(!found.contains { $0.hasPrefix("pupil_notes: unique constraint") })
            #expect(!found.contains { $0.hasPrefix("pupil_notes: foreign key") })
        }
    }
}
