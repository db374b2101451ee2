import ArgumentParser
import Foundation
import Identity
import SwiftASN1
import X509

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension Bench {
    /// Whole eID card logins against a live node, as a browser and the card reader app do them together: the
    /// browser opens the card login page, the app fetches the login by its code, the card signs, the app answers,
    /// and the browser's next look at the waiting page gets the session cookie.
    struct CardLogins: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "card-logins", abstract: "Run whole eID card logins and print logins per second.")

        @OptionGroup var card: CardCommand.Card

        @Option(help: "The node, e.g. http://127.0.0.1:8080.")
        var url: String

        @Option(help: "Logins to run.")
        var logins: Int = 200

        @Option(help: "Logins in flight at once.")
        var concurrency: Int = 8

        func run() async throws {
            let (key, certificate) = try await card.open()
            guard let algorithm = DeviceLoginAnswer.signatureAlgorithm(for: certificate.publicKey) else {
                throw ValidationError("the card's key is of a kind logins do not use")
            }
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            let certificateBase64 = Data(serializer.serializedBytes).base64EncodedString()
            let app = try DeviceLoginClient(url: url)
            let base = url.hasSuffix("/") ? String(url.dropLast()) : url

            let started = ContinuousClock.now
            var durations: [Duration] = []
            try await withThrowingTaskGroup(of: Duration.self) { group in
                var next = 0
                func add() {
                    next += 1
                    group.addTask {
                        let begin = ContinuousClock.now
                        let browser = URLSession(
                            configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)
                        defer { browser.finishTasksAndInvalidate() }
                        let page = try await Self.get(browser, "\(base)/login/card")
                        guard let status = page.text.firstMatch(of: /url=(\/login\/card\/[0-9a-f]{32})/)?.output.1,
                            let code = page.text.firstMatch(of: /(\d{4}-\d{4})/)?.output.1
                        else { throw ValidationError("the card login page shows no code (status \(page.status))") }
                        let login = try await app.login(code: String(code), method: .card)
                        let signedAt = Int64(Date().timeIntervalSince1970)
                        let toBeSigned = try login.toBeSigned(at: signedAt).derEncoded()
                        let signature = try await key.signAsynchronously(
                            bytes: toBeSigned, signatureAlgorithm: algorithm)
                        _ = try await app.answer(
                            code: login.code,
                            body: [
                                "signedAt": signedAt,
                                "signature": Data(signature.rawRepresentation).base64EncodedString(),
                                "certificate": certificateBase64,
                            ])
                        let done = try await Self.get(browser, base + status)
                        guard done.status == 303, done.setsSession else {
                            throw ValidationError("the waiting page did not sign the browser in (\(done.status))")
                        }
                        return ContinuousClock.now - begin
                    }
                }
                for _ in 0..<min(concurrency, logins) { add() }
                while let duration = try await group.next() {
                    durations.append(duration)
                    if next < logins { add() }
                }
            }
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let sorted = durations.sorted()
            func milliseconds(_ duration: Duration) -> Int {
                Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
            }
            print(
                String(
                    format: "logins %d concurrency %d seconds %.2f logins/s %.1f p50_ms %d p99_ms %d", logins,
                    concurrency, seconds, Double(logins) / seconds, milliseconds(sorted[sorted.count / 2]),
                    milliseconds(sorted[min(sorted.count - 1, sorted.count * 99 / 100)])))
        }

        struct Page {
            let status: Int
            let text: String
            let setsSession: Bool
        }

        /// A GET that does not follow redirects (the 303 and its cookie are what is measured).
        static func get(_ session: URLSession, _ address: String) async throws -> Page {
            guard let url = URL(string: address) else { throw ValidationError("bad URL \(address)") }
            var request = URLRequest(url: url)
            request.setValue("text/html", forHTTPHeaderField: "Accept")
            let (data, response) = try await session.data(for: request)
            let http = response as? HTTPURLResponse
            let cookie = http?.value(forHTTPHeaderField: "Set-Cookie") ?? ""
            return Page(
                status: http?.statusCode ?? 0, text: String(decoding: data, as: UTF8.self),
                setsSession: cookie.contains("civitas_session="))
        }
    }
}

/// Leaves redirects to the caller.
private final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) { completionHandler(nil) }
}
