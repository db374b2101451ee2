import ArgumentParser

/// `civitas exchange`: the Exchange block's verbs.
///
/// A temporary group for the message log's verbs; the integrator joins them to the central registry's
/// `exchange` group.
struct ExchangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange", abstract: "The data exchange: message-log evidence and its verification.",
        subcommands: [ExchangeVerifyCommand.self, ExchangeLogCommand.self, ExchangeBenchCommand.self])
}
