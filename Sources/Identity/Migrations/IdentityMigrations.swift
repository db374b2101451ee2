public import Storage

/// The Identity block's whole schema history, in order: what a node migrates.
public enum IdentityMigrations {
    /// Every Identity migration, versions 1, 2, 3, …
    public static let all: [Migration] =
        PopulationRegister.migrations + SessionStore.migrations + OpenIDProvider.migrations + LoginThrottle.migrations
        + AccountStore.migrations + DeviceLogins.migrations + reservedForRepresentation + ConsentStore.migrations
        + OfficialRegistry.migrations

    // MERGE: version 7 belongs to the powers of attorney (branch `poa`); this empty stand-in keeps the versions
    // contiguous on the `consent` branch and is dropped when that branch's migration 7 is merged.
    static let reservedForRepresentation: [Migration] = [
        Migration(module: "identity", version: 7, name: "reserved for the powers of attorney", statements: { _ in [] })
    ]
}
