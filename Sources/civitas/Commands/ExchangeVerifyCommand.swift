import ArgumentParser
import CivitasCore
import Exchange
import Foundation
import X509

/// `civitas exchange verify <file> --ca root.pem`: checks message-log evidence (one message's export, or an archive
/// file) offline: record hashes, hash-tree paths, the RFC 3161 tokens and their chain to the root, the CMS seals.
///
/// Exit status: 0 valid, 1 invalid, 2 cannot tell (a chain to another root, a signature that is not CMS, or an
/// input that cannot be read).
struct ExchangeVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify message-log evidence offline against a trusted root.",
        discussion: """
            Exit status 0 means valid, 1 invalid (a record, path, token or seal does not check), 2 cannot tell. \
            Revocation of the seals' certificates is not known offline and is noted, not failed.
            """)

    @Argument(help: "The evidence file (from `civitas exchange log export`, or an archive file).")
    var file: String

    @Option(name: .customLong("ca"), help: "A trusted root certificate file (PEM, may hold several); repeatable.")
    var trustAnchors: [String] = []

    @Option(help: "Further certificates to build chains with (PEM); repeatable.")
    var untrusted: [String] = []

    func validate() throws {
        guard !trustAnchors.isEmpty else { throw ValidationError("give at least one trusted root with --ca") }
    }

    func run() async throws {
        let bytes: [UInt8]
        let anchors: [Certificate]
        let others: [Certificate]
        do {
            bytes = try VerifyCommand.read(file)
            anchors = try trustAnchors.flatMap(VerifyCommand.certificates)
            others = try untrusted.flatMap(VerifyCommand.certificates)
        } catch {
            FileHandle.standardError.write(Data("civitas: cannot tell: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let result = await MessageLogEvidence.verify(bytes, trustAnchors: anchors, intermediates: others)
        for (index, record) in result.records.enumerated() {
            Console.say(
                "record \(index + 1): \(record.messageID) \(record.direction) \(record.client) -> \(record.service)")
            Console.say("  logged at:      \(Timestamp(record.createdAt))")
            if let stamped = record.timeStampedAt { Console.say("  time-stamped:   \(Timestamp(stamped))") }
            Console.say("  signature:      \(record.signature)")
            Console.say("  body:           \(record.bodyIncluded ? "included, matches its digest" : "not included")")
        }
        for note in result.notes { Console.say("note: \(note)") }
        for problem in result.problems { Console.say("problem: \(problem)") }
        Console.say("evidence: \(result.verdict.rawValue)")
        if result.verdict != .valid { throw ExitCode(result.verdict.exitCode) }
    }
}
