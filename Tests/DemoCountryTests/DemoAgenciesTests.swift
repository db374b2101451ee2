import CivitasCore
import DemoCountry
import Testing

@Suite("DemoAgencies")
struct DemoAgenciesTests {
    @Test("there are eight agencies with the agreed catalogue keys")
    func catalogueKeys() {
        #expect(
            DemoAgencies.all.map(\.catalogueKey) == [
                "agency_civil_registry", "agency_revenue_service", "agency_property_registry", "agency_city_hall",
                "agency_police", "agency_public_service_hall", "agency_trust_services", "agency_digital_agency",
            ]
        )
    }

    @Test("codes are GOV, a hyphen, eight digits and a Damm check digit, and are unique")
    func codesCarryACheckDigit() throws {
        for agency in DemoAgencies.all {
            #expect(agency.memberClass == "GOV")
            #expect(agency.code == "GOV-" + agency.memberCode)
            let digits = Array(agency.memberCode.utf8)
            #expect(digits.count == 9)
            #expect(digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
            let registryNumber = try #require(UInt64(agency.memberCode.prefix(8)))
            let checkDigit = Int(digits[8] - UInt8(ascii: "0"))
            #expect(PersonalNumber.checkDigit(for: registryNumber) == checkDigit)
        }
        #expect(Set(DemoAgencies.all.map(\.code)).count == DemoAgencies.all.count)
        #expect(DemoAgencies.civilRegistry.code == "GOV-700000015")
    }

    @Test("every agency has a Latin short name and a name in Georgian script")
    func names() {
        for agency in DemoAgencies.all {
            #expect(!agency.shortName.isEmpty)
            #expect(agency.shortName.unicodeScalars.allSatisfy { $0.isASCII })
            #expect(
                agency.georgianName.unicodeScalars.allSatisfy { $0 == " " || (0x10D0...0x10F0).contains($0.value) }
            )
        }
        #expect(Set(DemoAgencies.all.map(\.shortName)).count == 8)
    }
}
