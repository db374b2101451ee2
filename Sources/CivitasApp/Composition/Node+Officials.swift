import Audit
import Identity
import Storage
import Trust
import Web

extension Node {
    /// The officials' side of Identity: the admin pages (relying parties, service hall) behind the
    /// ``OfficialPolicy``, and the relying-party registry API for Trust's API clients.
    static func registerOfficialRoutes(
        in routes: RouteTable, database: Database, audit: AuditLog, sessions: BrowserSessions,
        provider: OpenIDProvider, accounts: AccountStore, renderer: PageRenderer
    ) {
        let policy = OfficialPolicy(sessions: sessions, officials: OfficialRegistry(database: database, audit: audit))
        AdminRoutes(
            policy: policy, accounts: accounts, population: PopulationRegister(database: database, audit: audit),
            renderer: renderer
        ).register(in: routes)
        RelyingPartyAdminRoutes(policy: policy, registry: provider.clients, renderer: renderer).register(in: routes)
        RelyingPartyAPIRoutes(registry: provider.clients, clients: APIClientRegistry(database: database, audit: audit))
            .register(in: routes)
    }
}
