// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "gaptrack",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gaptrack", targets: ["gaptrack"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        // SHA-256 of imported files (BoringSSL); already resolved for Hummingbird.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        // The web pages: bcrypt for people's passwords, Mustache templates for the HTML.
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
    ],
    targets: [
        // The system C library, found through pkg-config; Debian ships it as libpq-dev.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // A small, safe Swift face on libpq: connections, bound queries, typed rows, transactions, COPY.
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        // The embedded default: a private PostgreSQL cluster under the project folder (initdb + pg_ctl);
        // the one SQL statement it needs (creating its database) is the data-access target's.
        .target(name: "PrivateCluster", dependencies: ["Postgres", "GapTrackStore"]),
        // Pure statistics: ranks, gap index, months of learning, intervals, effect sizes, suppression.
        .target(name: "GapStatistics"),
        // Pure disclosure control: the attacker's audit of published tables, and complementary suppression.
        // Optimised in debug builds too: the test suite's disclosure audits solve many small linear
        // programs, which unoptimised code runs some twenty times slower (docs/disclosure-control.md §7.8).
        .target(name: "DisclosureControl", dependencies: ["DisjointSets"], swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // Union–find: the auditor's independent parts, and the import's rows that are one student.
        .target(name: "DisjointSets"),
        // Pure data protection for research exports: keyed pseudonyms and k-anonymity.
        .target(name: "DataProtection", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // Pure domain values: identifiers (UPN, ULN), terms, attendance codes, markers.
        .target(name: "GapTrackDomain"),
        // RFC 4180 CSV reading with line numbers for error messages, and writing for CSV reports.
        .target(name: "CSVFormat"),
        // The DfE Common Transfer File (XML) read into checked values; Foundation's XMLParser only, no database.
        .target(name: "CommonTransferFile", dependencies: ["GapTrackDomain"]),
        // The one data-access room: schema migrations (sql/ as a baseline plus definitions), imports,
        // repositories and the queries reports run.
        .target(
            name: "GapTrackStore",
            dependencies: [
                "Postgres", "GapTrackDomain", "CSVFormat", "CommonTransferFile", "DisjointSets",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
        ),
        // A realistic synthetic school and university, written as import CSV files, with a fixed seed.
        .target(name: "DemoData", dependencies: ["GapTrackDomain", "GapStatistics", "CSVFormat"]),
        // Turning computed reports into terminal tables, CSV, JSON, Markdown and HTML.
        .target(name: "GapTrackReports", dependencies: ["Postgres", "GapStatistics", "GapTrackDomain", "GapTrackStore", "CSVFormat", "DisclosureControl"]),
        // The web pages' templates (one layout, escaped by default) and the pure pieces of a form:
        // urlencoded and multipart bodies, cookies. The service mounts the pages (WebPages*.swift).
        .target(
            name: "GapTrackWeb",
            dependencies: [.product(name: "Mustache", package: "swift-mustache")],
            resources: [.copy("Templates")]
        ),
        // The HTTP service (gaptrack serve): JSON API, API tokens and roles, row-level security, audit log, /health, /metrics.
        .target(
            name: "GapTrackService",
            dependencies: [
                "Postgres", "GapTrackDomain", "GapTrackStore", "GapTrackReports", "GapTrackWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("openapi.yaml")]
        ),
        .executableTarget(
            name: "gaptrack",
            dependencies: [
                "Postgres", "PrivateCluster", "GapTrackStore", "GapTrackReports", "GapTrackDomain",
                "DemoData", "GapTrackService", "DataProtection", "CSVFormat",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "TestDatabase", dependencies: ["Postgres", "PrivateCluster", "GapTrackStore"], path: "Tests/TestDatabase"),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestDatabase"]),
        .testTarget(name: "SchemaMigrationsTests", dependencies: ["GapTrackStore", "Postgres", "TestDatabase"], exclude: ["Fixtures"]),
        // One tolerance helper and the seeded samples the statistics and report tests share.
        .target(name: "TestSupport", dependencies: ["GapStatistics", "GapTrackDomain"], path: "Tests/TestSupport"),
        .testTarget(name: "GapStatisticsTests", dependencies: ["GapStatistics", "TestSupport"]),
        .testTarget(name: "GapTrackDomainTests", dependencies: ["GapTrackDomain"]),
        .testTarget(name: "DisclosureControlTests", dependencies: ["DisclosureControl", "GapStatistics"]),
        .testTarget(name: "DataProtectionTests", dependencies: ["DataProtection"]),
        // The web pages: templates and forms, and the journeys in a real browser (Tests/BrowserTests).
        .testTarget(name: "GapTrackWebTests", dependencies: ["GapTrackWeb", "GapTrackDomain", "Postgres", "TestDatabase"]),
        .testTarget(name: "CSVFormatTests", dependencies: ["CSVFormat", "GapStatistics"]),
        .testTarget(name: "CommonTransferFileTests", dependencies: ["CommonTransferFile", "GapTrackDomain"]),
        .testTarget(name: "GapTrackStoreTests", dependencies: ["GapTrackStore", "TestDatabase", "GapStatistics"]),
        .testTarget(name: "DemoDataTests", dependencies: ["DemoData", "GapTrackDomain", "CSVFormat", "GapStatistics"]),
        // The private cluster with the real initdb and pg_ctl, in temporary folders.
        .testTarget(name: "PrivateClusterTests", dependencies: ["PrivateCluster", "Postgres"]),
        // The commands parsed and run in-process against test databases.
        .testTarget(
            name: "GapTrackCLITests",
            dependencies: [
                "gaptrack", "GapTrackStore", "GapTrackDomain", "DemoData", "Postgres", "PrivateCluster", "TestDatabase",
                "GapTrackReports", "DisclosureControl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "GapTrackReportsTests",
            dependencies: [
                "GapTrackReports", "GapTrackStore", "GapStatistics", "GapTrackDomain", "Postgres", "CSVFormat", "TestDatabase", "TestSupport",
                "DisclosureControl",
            ]
        ),
        .testTarget(
            name: "GapTrackServiceTests",
            dependencies: [
                "GapTrackService", "GapTrackReports", "GapTrackDomain", "Postgres", "GapTrackStore", "TestDatabase",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
