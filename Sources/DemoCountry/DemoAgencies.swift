/// The public agencies of the demo country, Civitas.
///
/// Their Georgian names follow the names of the Georgian bodies that do the same work; their codes are
/// fixed, so that demo data, tests and documentation can refer to them.
public enum DemoAgencies {
    /// Keeps the civil acts (births, marriages, deaths) and the population register; issues identity cards
    /// and passports.
    public static let civilRegistry = DemoAgency(
        registryNumber: 70_000_001,
        catalogueKey: "agency_civil_registry",
        shortName: "Civil Registry",
        georgianName: "სამოქალაქო რეესტრის სააგენტო"
    )

    /// Collects taxes and customs duties.
    public static let revenueService = DemoAgency(
        registryNumber: 70_000_002,
        catalogueKey: "agency_revenue_service",
        shortName: "Revenue Service",
        georgianName: "შემოსავლების სამსახური"
    )

    /// Keeps the registers of land, buildings and other real property.
    public static let propertyRegistry = DemoAgency(
        registryNumber: 70_000_003,
        catalogueKey: "agency_property_registry",
        shortName: "Property Registry",
        georgianName: "საჯარო რეესტრის ეროვნული სააგენტო"
    )

    /// The city hall of the capital, for local services such as parking and building permits.
    public static let cityHall = DemoAgency(
        registryNumber: 70_000_004,
        catalogueKey: "agency_city_hall",
        shortName: "City Hall",
        georgianName: "ლომისკარის მერია"
    )

    /// The national police, for certificates of no criminal record and traffic fines.
    public static let police = DemoAgency(
        registryNumber: 70_000_005,
        catalogueKey: "agency_police",
        shortName: "Police",
        georgianName: "ეროვნული პოლიცია"
    )

    /// Runs the one-stop service halls where citizens get any agency's service in person.
    public static let publicServiceHall = DemoAgency(
        registryNumber: 70_000_006,
        catalogueKey: "agency_public_service_hall",
        shortName: "Public Service Hall",
        georgianName: "საჯარო სამსახურის დარბაზი"
    )

    /// The qualified trust service provider: certificates, electronic signatures and seals, time-stamps.
    public static let trustServices = DemoAgency(
        registryNumber: 70_000_007,
        catalogueKey: "agency_trust_services",
        shortName: "Trust Services",
        georgianName: "ელექტრონული სანდო მომსახურების სააგენტო"
    )

    /// Runs the national portal, the data exchange and central authentication.
    public static let digitalAgency = DemoAgency(
        registryNumber: 70_000_008,
        catalogueKey: "agency_digital_agency",
        shortName: "Digital Agency",
        georgianName: "ციფრული მმართველობის სააგენტო"
    )

    /// Every demo agency, in a fixed order.
    public static let all: [DemoAgency] = [
        civilRegistry, revenueService, propertyRegistry, cityHall, police, publicServiceHall, trustServices,
        digitalAgency,
    ]
}
