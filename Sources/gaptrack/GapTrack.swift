import ArgumentParser

@main
struct GapTrack: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaptrack",
        abstract: "Follow disadvantaged students, record what is done for them, and see whether the gap is closing.",
        discussion: """
            gaptrack keeps its data in PostgreSQL. With no --database and no PG* environment variables it uses a \
            private PostgreSQL cluster in the project folder (.gaptrack/postgres), started on demand.
            """,
        subcommands: [MigrateCommand.self, DatabaseCommand.self, ProviderCommand.self, ProviderGroupCommand.self, ImportCommand.self, ReportCommand.self, DemoCommand.self, ServeCommand.self, TokenCommand.self, UserCommand.self, AuditCommand.self, RetentionCommand.self, StudentCommand.self, ExportCommand.self,
                      CalendarCommand.self, CatalogueCommand.self, PupilPremiumCommand.self, PupilGroupCommand.self,
                      SupportCommand.self]
    )
}
