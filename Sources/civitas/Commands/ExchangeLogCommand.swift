import ArgumentParser

/// `civitas exchange log`: the exchange node's message log.
struct ExchangeLogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "Read the message log: export a message's evidence.",
        subcommands: [ExchangeLogExportCommand.self])
}
