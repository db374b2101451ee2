public import Storage

extension DemoCountryStore {
    /// The demo country's schema history.
    public static let migrations: [Migration] = [
        Migration(
            module: "demo", version: 1, name: "create demo_agencies and demo_persons",
            statements: { _ in
                [
                    """
                    CREATE TABLE demo_agencies (
                        code TEXT NOT NULL PRIMARY KEY,
                        member_class TEXT NOT NULL,
                        member_code TEXT NOT NULL,
                        catalogue_key TEXT NOT NULL,
                        short_name TEXT NOT NULL,
                        georgian_name TEXT NOT NULL
                    )
                    """,
                    """
                    CREATE TABLE demo_persons (
                        personal_number TEXT NOT NULL PRIMARY KEY,
                        given_name TEXT NOT NULL,
                        family_name TEXT NOT NULL,
                        given_name_latin TEXT NOT NULL,
                        family_name_latin TEXT NOT NULL,
                        hangul_name TEXT,
                        birth_date TEXT NOT NULL,
                        sex TEXT NOT NULL,
                        citizenship TEXT NOT NULL,
                        city TEXT NOT NULL,
                        district TEXT NOT NULL,
                        street TEXT NOT NULL,
                        house_number TEXT NOT NULL,
                        flat BIGINT,
                        postcode TEXT NOT NULL
                    )
                    """,
                ]
            }),
        Migration(
            module: "demo", version: 2, name: "drop demo_persons: the population lives in identity_persons",
            statements: { _ in ["DROP TABLE demo_persons"] }),
    ]
}
