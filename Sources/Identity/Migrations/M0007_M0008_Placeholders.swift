import Storage

extension IdentityMigrations {
    /// Stand-ins for Identity versions 7 and 8, which other branches (powers of attorney, consent records) own.
    ///
    /// The migrator wants each block's versions without gaps, and this branch's own migration is version 9. When
    /// those branches are merged, this file is deleted and their migrations take these places.
    static let placeholders: [Migration] = [7, 8].map { version in
        Migration(
            module: "identity", version: version, name: "placeholder \(version) (replaced on merge)",
            statements: { _ in [] })
    }
}
