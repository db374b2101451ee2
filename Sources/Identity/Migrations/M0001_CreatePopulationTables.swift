public import Storage

extension PopulationRegister {
    /// The Identity block's schema history.
    public static let migrations: [Migration] = [
        Migration(
            module: "identity", version: 1, name: "create identity_persons and identity_documents",
            statements: { _ in
                [
                    """
                    CREATE TABLE identity_persons (
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
                        postcode TEXT NOT NULL,
                        died_on TEXT
                    )
                    """,
                    "CREATE INDEX identity_persons_family_latin ON identity_persons (family_name_latin, given_name_latin)",
                    """
                    CREATE TABLE identity_documents (
                        number TEXT NOT NULL PRIMARY KEY,
                        kind TEXT NOT NULL,
                        holder TEXT NOT NULL REFERENCES identity_persons (personal_number),
                        issued_on TEXT NOT NULL,
                        expires_on TEXT NOT NULL,
                        invalidated BIGINT NOT NULL DEFAULT 0
                    )
                    """,
                    "CREATE INDEX identity_documents_holder ON identity_documents (holder)",
                ]
            })
    ]
}
