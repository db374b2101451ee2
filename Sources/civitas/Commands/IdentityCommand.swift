import ArgumentParser
import Audit
import CivitasApp
import CivitasCore
import Foundation
import Identity
import Storage
import Trust

/// `civitas identity`: accounts opened at a service hall, relying parties, and the token-signing keys.
struct IdentityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity", abstract: "Accounts, OpenID Connect relying parties and signing keys.",
        subcommands: [Account.self, Client.self, Keys.self, OfficialCommand.self, EntityCommand.self])

    /// `civitas identity account`.
    struct Account: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a person's account at a service hall.", subcommands: [Create.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Open an account; prints the one-time activation code to hand to the person.")

            @OptionGroup var options: NodeOptions

            @Option(name: .customLong("personal-number"), help: "The person's personal number.")
            var personalNumber: String

            @Option(help: "The username the person chose.")
            var username: String

            func run() async throws {
                let number: PersonalNumber
                do {
                    number = try PersonalNumber(personalNumber)
                } catch {
                    throw ValidationError("--personal-number: \(error)")
                }
                let (_, _, database) = try await options.openNode()
                let audit = AuditLog(database: database)
                let store = AccountStore(
                    database: database, audit: audit, hasher: PasswordHasher(),
                    throttle: LoginThrottle(database: database))
                do {
                    let code = try await store.createAtServiceHall(
                        for: number, username: username, actor: PKICommand.operatorActor)
                    await database.close()
                    FileHandle.standardError.write(
                        Data("account \(username) opened; hand over the activation code, shown only now:\n".utf8))
                    Console.say(code)
                } catch let error as IdentityError {
                    await database.close()
                    throw ValidationError(error.message)
                }
            }
        }
    }

    /// `civitas identity client`.
    struct Client: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an OpenID Connect relying party.", subcommands: [Register.self, List.self])

        struct Register: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Register a relying party; prints its client secret, shown only now, if it has one.")

            @OptionGroup var options: NodeOptions

            @Option(name: .customLong("id"), help: "The client_id.")
            var clientID: String

            @Option(help: "The name shown on the consent screen.")
            var name: String

            @Option(name: .customLong("redirect-uri"), help: "A redirect URI (exact); repeatable.")
            var redirectURIs: [String] = []

            @Option(name: .customLong("post-logout-redirect-uri"), help: "Where logout may return to; repeatable.")
            var postLogoutRedirectURIs: [String] = []

            @Option(name: .customLong("scope"), help: "A scope it may ask for; repeatable (openid is implied).")
            var scopes: [String] = []

            @Option(
                name: .customLong("auth-method"),
                help: "client_secret_basic, client_secret_post, private_key_jwt or none (a public client).")
            var authMethod: String = "client_secret_basic"

            @Option(help: "For private_key_jwt: a file with the client's public keys (JWKS).")
            var jwks: String?

            @Option(help: "The lowest level of assurance it accepts: low, substantial or high.")
            var level: String = "low"

            @Option(name: .customLong("id-token-alg"), help: "How its ID tokens are signed: ES256 or EdDSA.")
            var idTokenAlgorithm: String = "ES256"

            @Option(
                name: .customLong("claim"), help: "A claim it may receive; repeatable (none given: all of its scopes).")
            var claims: [String] = []

            func run() async throws {
                guard let method = ClientAuthentication(rawValue: authMethod) else {
                    throw ValidationError(
                        "--auth-method must be one of \(ClientAuthentication.allCases.map(\.rawValue))")
                }
                let levels: [String: LevelOfAssurance] = ["low": .low, "substantial": .substantial, "high": .high]
                guard let required = levels[level] else { throw ValidationError("--level: low, substantial or high") }
                guard let algorithm = JSONWebAlgorithm(rawValue: idTokenAlgorithm),
                    SigningKeys.algorithms.contains(algorithm)
                else { throw ValidationError("--id-token-alg: ES256 or EdDSA") }
                let keys = try jwks.map { try String(contentsOfFile: $0, encoding: .utf8) }
                let (_, _, database) = try await options.openNode()
                let registry = RelyingPartyRegistry(database: database, audit: AuditLog(database: database))
                do {
                    let secret = try await registry.register(
                        RelyingParty(
                            clientID: clientID, name: name, redirectURIs: redirectURIs,
                            postLogoutRedirectURIs: postLogoutRedirectURIs, scopes: Set(scopes), authentication: method,
                            requiredLevel: required, allowedClaims: claims.isEmpty ? nil : Set(claims),
                            idTokenSigningAlgorithm: algorithm), jwks: keys, actor: PKICommand.operatorActor)
                    await database.close()
                    if let secret {
                        FileHandle.standardError.write(
                            Data("client \(clientID) registered; its secret is shown only now:\n".utf8))
                        Console.say(secret)
                    } else {
                        Console.say("client \(clientID) registered")
                    }
                } catch let error as IdentityError {
                    await database.close()
                    throw ValidationError(error.message)
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the relying parties.")

            @OptionGroup var options: NodeOptions

            func run() async throws {
                let (_, _, database) = try await options.openNode()
                let parties = try await RelyingPartyRegistry(database: database, audit: AuditLog(database: database))
                    .all()
                await database.close()
                for party in parties {
                    Console.say(
                        "\(party.clientID)\t\(party.name)\t\(party.authentication.rawValue)\t"
                            + party.scopes.sorted().joined(separator: " "))
                }
            }
        }
    }

    /// `civitas identity keys`.
    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The OpenID Connect token-signing keys.", subcommands: [Rotate.self])

        struct Rotate: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Make new ES256 and Ed25519 signing keys current; the old ones stay in the JWKS for a day.")

            @OptionGroup var options: NodeOptions

            func run() async throws {
                let (configuration, logger, database) = try await options.openNode()
                let pki = try Node.nationalPKI(configuration, database: database, logger: logger)
                let signers = try await SigningKeys(database: database, keyStore: pki.keyStore).rotate()
                await database.close()
                for signer in signers {
                    Console.say("signing key \(signer.keyID) (\(signer.algorithm.rawValue)) is current")
                }
            }
        }
    }
}
