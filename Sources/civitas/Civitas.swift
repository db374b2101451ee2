import ArgumentParser

/// The `civitas` command: one executable for every node and every operator task.
@main
struct Civitas: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "civitas",
        abstract: "Civitas: an open platform for digital government.",
        discussion: """
            Every setting can also come from a CIVITAS_* environment variable or a JSON config file (--config); \
            see docs/architecture.md.
            """,
        subcommands: [
            Serve.self, Demo.self, Migrate.self, AuditCommand.self, PKICommand.self, SealCommand.self,
            SignCommand.self, VerifyCommand.self, TimeStampCommand.self, IdentityCommand.self, CardCommand.self,
            MobileCommand.self, ExchangeCommand.self, Bench.self, QRCodeCommand.self,
        ]
    )
}
