import Foundation

/// The JSON bodies of the registry's admin API (`/exchange/v1`).
enum RegistryAPIBodies {
    struct NewMember: Codable { let id: String; let name: String }
    struct NewSubsystem: Codable { let id: String }
    struct NewNode: Codable { let id: String; let address: String; let certificate: String? }
    struct NewNodeClient: Codable { let subsystem: String }
    struct NewService: Codable { let id: String; let version: String?; let title: String; let openapi: String? }
    struct NewAccessRight: Codable { let client: String; let service: String; let method: String?; let path: String? }

    struct Member: Codable { let id: String; let name: String; let subsystems: [String] }
    struct Node: Codable { let id: String; let address: String; let certificates: [String]; let clients: [String] }
    struct Service: Codable { let id: String; let version: String?; let title: String; let openAPIDigest: String? }
    struct Right: Codable {
        let id: Int64; let client: String; let service: String; let method: String?; let path: String?
    }
}
