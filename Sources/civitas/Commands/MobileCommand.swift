import ArgumentParser
import Crypto
import Foundation
import Identity

/// `civitas mobile`: a simulated mobile ID device (a device file with its P-256 key) and its side of a mobile
/// ID login.
struct MobileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mobile", abstract: "A simulated mobile ID device: register it, approve logins with it.",
        discussion: """
            Registering, listing and revoking devices need the person's session on the node (at level high, an \
            eID card login, to register): pass its cookie with --cookie. Approving a login needs only the \
            registered device file.
            """,
        subcommands: [Register.self, Approve.self, List.self, Revoke.self])

    /// The node and the session to act in.
    struct Session: ParsableArguments {
        @Option(help: "The node, e.g. http://127.0.0.1:8080.")
        var url: String

        @Option(help: "The session's Cookie header value, e.g. \"civitas_session=…\".")
        var cookie: String?

        func client() throws -> DeviceLoginClient {
            var client = try DeviceLoginClient(url: url)
            if let cookie { client.headers["Cookie"] = cookie }
            return client
        }
    }

    /// `civitas mobile register`.
    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the device's P-256 key pair (if the file is new) and register its public key.")

        @OptionGroup var session: Session

        @Option(help: "The device file (JSON); created if missing.")
        var file: String

        @Option(help: "What you call the device.")
        var name: String = "My phone"

        func run() async throws {
            var device: MobileDeviceFile
            if FileManager.default.fileExists(atPath: file) {
                device = try CardCommand.mapped { try MobileDeviceFile.read(from: file) }
                if device.deviceID != nil { throw ValidationError("\(file) is registered already") }
            } else {
                device = MobileDeviceFile.create(name: name)
                try CardCommand.mapped { try device.write(to: file) }
                Console.say("created a P-256 key pair in \(file)")
            }
            let client = try session.client()
            let key = try CardCommand.mapped { try device.key() }
            let body = try JSONSerialization.data(
                withJSONObject: ["name": name, "publicKey": key.publicKey.derRepresentation.base64EncodedString()])
            let (status, reply) = try await client.send("POST", "/identity/devices", json: body)
            guard status == 201 else { throw DeviceLoginClient.refusal(status, reply) }
            guard let object = try? JSONSerialization.jsonObject(with: reply) as? [String: Any],
                let id = object["id"] as? String
            else { throw ValidationError("the node's answer has no device id") }
            device.deviceID = id
            device.name = name
            device.origin = client.origin
            try CardCommand.mapped { try device.write(to: file) }
            Console.say("registered \(name) as device \(id) at \(client.origin)")
        }
    }

    /// `civitas mobile approve`.
    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve a mobile ID login shown in a browser: fetch it by its code, show it, sign, send.")

        @Option(help: "The node, e.g. http://127.0.0.1:8080.")
        var url: String

        @Option(help: "The device file.")
        var file: String

        @Option(help: "The code the browser shows, e.g. 4821-7730.")
        var code: String

        func run() async throws {
            let device = try CardCommand.mapped { try MobileDeviceFile.read(from: file) }
            guard let id = device.deviceID else { throw ValidationError("\(file) is not registered yet") }
            let key = try CardCommand.mapped { try device.key() }
            let client = try DeviceLoginClient(url: url)
            if let origin = device.origin, origin != client.origin {
                throw ValidationError("\(file) is registered at \(origin), not \(client.origin)")
            }
            let login = try await client.login(code: code, method: .mobile)
            Console.say("Approving a login to \(login.origin) with code \(login.code) (valid until \(login.expiresAt))")
            let signedAt = Int64(Date().timeIntervalSince1970)
            let toBeSigned = try login.toBeSigned(at: signedAt).derEncoded()
            let signature = try key.signature(for: toBeSigned)
            _ = try await client.answer(
                code: login.code,
                body: [
                    "signedAt": signedAt, "signature": signature.derRepresentation.base64EncodedString(),
                    "deviceId": id,
                ])
            Console.say("Approved; the browser continues by itself.")
        }
    }

    /// `civitas mobile list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the session person's devices.")

        @OptionGroup var session: Session

        func run() async throws {
            let (status, reply) = try await session.client().send("GET", "/identity/devices")
            guard status == 200 else { throw DeviceLoginClient.refusal(status, reply) }
            let devices =
                (try? JSONSerialization.jsonObject(with: reply) as? [String: Any])?["devices"] as? [[String: Any]]
            for device in devices ?? [] {
                let usable = device["usable"] as? Bool == true ? "usable" : "revoked"
                Console.say("\(device["id"] ?? "?")\t\(usable)\t\(device["name"] ?? "")")
            }
        }
    }

    /// `civitas mobile revoke`.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke one of the session person's devices.")

        @OptionGroup var session: Session

        @Option(help: "The device id.")
        var device: String

        func run() async throws {
            // A JSON body, as browsers cannot send cross-site without a preflight: the CSRF check lets it through.
            let (status, reply) = try await session.client().send(
                "POST", "/identity/devices/\(device)/revoke", json: Data("{}".utf8))
            guard status == 200 else { throw DeviceLoginClient.refusal(status, reply) }
            Console.say("revoked \(device)")
        }
    }
}
