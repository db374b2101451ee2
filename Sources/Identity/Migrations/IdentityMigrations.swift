public import Storage

/// The Identity block's whole schema history, in order: what a node migrates.
public enum IdentityMigrations {
    /// Every Identity migration, versions 1, 2, 3, …
    public static let all: [Migration] =
        PopulationRegister.migrations + SessionStore.migrations + OpenIDProvider.migrations + LoginThrottle.migrations
        + AccountStore.migrations + DeviceLogins.migrations + LegalEntityRegistry.migrations + ConsentStore.migrations
        + OfficialRegistry.migrations
}
