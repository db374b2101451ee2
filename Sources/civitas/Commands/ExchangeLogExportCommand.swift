import ArgumentParser
import CivitasApp
import Exchange
import Foundation
import Storage

/// `civitas exchange log export <message-id> --out file`: writes one message's evidence (its request and response
/// records, their signatures, the batch time-stamps and the hash-tree paths) as one DER file, from the hot log or
/// from the archive.
struct ExchangeLogExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export one message's evidence as a DER file that `civitas exchange verify` checks offline.",
        discussion: """
            The file's format is in docs/decisions/0020-message-log.md; openssl asn1parse shows its parts. \
            Exit status 1 when the message is unknown or not yet time-stamped.
            """)

    @OptionGroup var options: NodeOptions

    @Argument(help: "The message id (X-Road-Id).")
    var messageID: String

    @Option(help: "Where to write the evidence.")
    var out: String

    func run() async throws {
        let (configuration, _, database) = try await options.openNode()
        let log = MessageLog(
            database: database,
            configuration: MessageLogConfiguration(
                archiveDirectory: MessageLogConfiguration.defaultArchiveDirectory(
                    dataDirectory: configuration.dataDirectory)))
        let evidence: MessageLogEvidence
        do {
            evidence = try await log.evidence(messageID: messageID)
        } catch let error as ExchangeError {
            await database.close()
            FileHandle.standardError.write(Data("civitas: \(error)\n".utf8))
            throw ExitCode(1)
        } catch {
            await database.close()
            throw error
        }
        await database.close()
        let bytes = evidence.derEncoded
        try Data(bytes).write(to: URL(fileURLWithPath: out))
        Console.say(
            "wrote \(out): \(evidence.items.count) records, \(evidence.batches.count) time-stamps, \(bytes.count) bytes"
        )
    }
}
