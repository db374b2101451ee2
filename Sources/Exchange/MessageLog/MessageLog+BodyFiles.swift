import Foundation
import SQLKit
import Storage

extension MessageLog {
    /// Removes files in the body directory that no record names: a body linked in just before a crash whose commit
    /// never happened (an append that fails removes its own). Run it before the node takes messages; another node
    /// sharing the database has a directory of its own.
    ///
    /// - Returns: how many files were removed.
    @discardableResult
    public func sweepBodyFiles() async throws -> Int {
        guard let bodyFiles else { return 0 }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: bodyFiles.directory.path)) ?? [])
            .filter { $0.hasSuffix(".body") }
        guard !names.isEmpty else { return 0 }
        var named = Set<String>()
        for start in stride(from: 0, to: names.count, by: Self.rowsPerStatement) {
            let chunk = names[start..<min(start + Self.rowsPerStatement, names.count)].map {
                $0 as any Encodable & Sendable
            }
            let rows = try await database.read { sql in
                try await sql.raw("SELECT file_name FROM exchange_log_bodies WHERE file_name IN (\(binds: chunk))")
                    .all()
            }
            for row in rows { named.insert(try row.decode(column: "file_name", as: String.self)) }
        }
        let strays = names.filter { !named.contains($0) }
        bodyFiles.remove(strays)
        return strays.count
    }
}
