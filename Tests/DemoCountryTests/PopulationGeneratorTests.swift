import CivitasCore
import DemoCountry
import Testing

@Suite("PopulationGenerator")
struct PopulationGeneratorTests {
    static let referenceDate = try! CalendarDate(year: 2026, month: 1, day: 1)

    /// One large population, generated once and shared by the statistical tests.
    static let large = Array(PopulationGenerator(count: 200_000, referenceDate: referenceDate))

    @Test("the same seed gives the same first 1000 persons in the same order")
    func sameSeedSamePersons() {
        let first = Array(PopulationGenerator(seed: 7, count: 1000, referenceDate: Self.referenceDate))
        let second = Array(PopulationGenerator(seed: 7, count: 1000, referenceDate: Self.referenceDate))
        #expect(first.count == 1000)
        #expect(first == second)
    }

    @Test("the default seed is 2026")
    func defaultSeed() {
        let generator = PopulationGenerator(count: 10, referenceDate: Self.referenceDate)
        #expect(generator.seed == 2026)
        let explicit = PopulationGenerator(seed: 2026, count: 10, referenceDate: Self.referenceDate)
        #expect(Array(generator) == Array(explicit))
    }

    @Test("different seeds give different persons")
    func differentSeedsDiffer() {
        let first = PopulationGenerator(seed: 1, count: 100, referenceDate: Self.referenceDate)
        let second = PopulationGenerator(seed: 2, count: 100, referenceDate: Self.referenceDate)
        let same = zip(first, second).filter { $0.personalNumber == $1.personalNumber }.count
        #expect(same == 0)
        #expect(Array(first) != Array(second))
    }

    @Test("a smaller population is a prefix of a larger one with the same seed", arguments: [1, 10, 999, 1000])
    func prefixProperty(count: Int) {
        let small = Array(PopulationGenerator(count: count, referenceDate: Self.referenceDate))
        let large = PopulationGenerator(count: 5000, referenceDate: Self.referenceDate)
        #expect(small == Array(large.prefix(count)))
        #expect(small == Array(Self.large.prefix(count)))
    }

    @Test("generating in chunks gives the same persons as generating in sequence")
    func chunkedEqualsSequential() {
        let generator = PopulationGenerator(count: 10_000, referenceDate: Self.referenceDate)
        let sequential = Array(generator)
        let chunks = stride(from: 0, to: 10_000, by: 1_337).map { start in
            generator.persons(in: start..<min(start + 1_337, 10_000))
        }
        #expect(chunks.flatMap { $0 } == sequential)
        #expect(generator.persons(in: 5..<5).isEmpty)
        #expect(generator.person(at: 4_321) == sequential[4_321])
    }

    @Test("chunks generated in parallel tasks concatenate to the sequential population")
    func parallelChunksEqualSequential() async {
        let generator = PopulationGenerator(count: 20_000, referenceDate: Self.referenceDate)
        let chunkSize = 2_500
        let chunks = await withTaskGroup(of: (Int, [SyntheticPerson]).self) { group in
            for start in stride(from: 0, to: generator.count, by: chunkSize) {
                group.addTask { (start, generator.persons(in: start..<(start + chunkSize))) }
            }
            var chunks: [(Int, [SyntheticPerson])] = []
            for await chunk in group {
                chunks.append(chunk)
            }
            return chunks
        }
        let joined = chunks.sorted { $0.0 < $1.0 }.flatMap(\.1)
        #expect(joined == Array(Self.large.prefix(20_000)))
    }

    @Test("personal numbers are valid and unique across 200,000 persons")
    func personalNumbersAreUnique() throws {
        let numbers = Set(Self.large.map(\.personalNumber))
        #expect(numbers.count == Self.large.count)
        for person in Self.large.prefix(10_000) {
            #expect(try PersonalNumber(person.personalNumber.rawValue) == person.personalNumber)
        }
    }

    @Test("personal numbers do not follow the order of the persons")
    func personalNumbersLookRandom() {
        let numbers = Self.large.prefix(1000).map(\.personalNumber)
        let ascending = zip(numbers, numbers.dropFirst()).filter { $0 < $1 }.count
        #expect((400...600).contains(ascending))
        let leadingDigits = Set(numbers.map { $0.rawValue.first })
        #expect(leadingDigits.count == 10)
    }

    @Test(
        "every birth date is a real day, not after the reference date, at an age of 0 to 100",
        arguments: [
            (2026, 1, 1), (2024, 2, 29), (2025, 12, 31), (1990, 3, 1),
        ]
    )
    func birthDatesAreValid(year: Int, month: Int, day: Int) throws {
        let reference = try CalendarDate(year: year, month: month, day: day)
        let population = PopulationGenerator(seed: 99, count: 50_000, referenceDate: reference)
        for person in population {
            let date = person.birthDate
            #expect(try CalendarDate(year: date.year, month: date.month, day: date.day) == date)
            #expect(date <= reference)
            #expect((0...100).contains(date.age(on: reference)))
        }
    }

    @Test("ages follow a population pyramid: children, working age and the old in plausible shares")
    func agesFollowAPyramid() {
        let ages = Self.large.map { $0.birthDate.age(on: Self.referenceDate) }
        let total = Double(ages.count)
        let children = Double(ages.filter { $0 < 15 }.count) / total
        let old = Double(ages.filter { $0 >= 65 }.count) / total
        #expect((0.15...0.25).contains(children))
        #expect((0.12...0.25).contains(old))
        #expect(ages.contains(0))
        #expect(ages.contains { $0 >= 95 })
        #expect(ages.max() == 100)
        // Women outlive men: among the over-80s, women are clearly the majority.
        let oldest = Self.large.filter { $0.birthDate.age(on: Self.referenceDate) >= 80 }
        let oldWomen = Double(oldest.filter { $0.sex == .female }.count) / Double(oldest.count)
        #expect(oldWomen > 0.6)
    }

    @Test("about 51% of persons are female")
    func femaleShare() {
        let female = Double(Self.large.filter { $0.sex == .female }.count) / Double(Self.large.count)
        #expect((0.505...0.52).contains(female))
    }

    @Test("a given name belongs to one sex only, and each sex has at least 60 given names")
    func givenNamesMatchSex() {
        var sexOfName: [String: SyntheticPerson.Sex] = [:]
        for person in Self.large {
            let previous = sexOfName.updateValue(person.sex, forKey: person.givenName)
            #expect(previous == nil || previous == person.sex, "\(person.givenName)")
        }
        let georgian = Self.large.filter { $0.citizenship == "CVT" }
        #expect(Set(georgian.filter { $0.sex == .female }.map(\.givenName)).count >= 60)
        #expect(Set(georgian.filter { $0.sex == .male }.map(\.givenName)).count >= 60)
    }

    @Test("at least 100 family names occur, the same ones for women and for men")
    func familyNamesAreSharedBySexes() {
        let georgian = Self.large.filter { $0.citizenship == "CVT" }
        let women = Set(georgian.filter { $0.sex == .female }.map(\.familyName))
        let men = Set(georgian.filter { $0.sex == .male }.map(\.familyName))
        #expect(women.count >= 100)
        #expect(women == men)
    }

    @Test("Georgian names are in Georgian script and their Latin forms are the document-style romanisation")
    func latinNamesAreTransliterations() {
        for person in Self.large.prefix(20_000) where person.citizenship == "CVT" {
            #expect(person.givenName.unicodeScalars.allSatisfy { (0x10D0...0x10F0).contains($0.value) })
            #expect(person.familyName.unicodeScalars.allSatisfy { (0x10D0...0x10F0).contains($0.value) })
            #expect(person.givenNameLatin == GeorgianTransliteration.latin(person.givenName, style: .document))
            #expect(person.familyNameLatin == GeorgianTransliteration.latin(person.familyName, style: .document))
            #expect(person.hangulName == nil)
        }
    }

    @Test("about 2% are Korean residents with Hangul names and Latin names")
    func foreignResidents() {
        let koreans = Self.large.filter { $0.citizenship == "KOR" }
        let share = Double(koreans.count) / Double(Self.large.count)
        #expect((0.015...0.025).contains(share))
        #expect(Self.large.allSatisfy { $0.citizenship == "CVT" || $0.citizenship == "KOR" })
        for person in koreans {
            let hangul = person.hangulName ?? ""
            #expect(hangul.unicodeScalars.count >= 2)
            #expect(hangul.unicodeScalars.allSatisfy { (0xAC00...0xD7A3).contains($0.value) })
            #expect(person.givenNameLatin.unicodeScalars.allSatisfy { $0.isASCII && $0.properties.isAlphabetic })
            #expect(person.familyNameLatin.first?.isUppercase == true)
            #expect((18...64).contains(person.birthDate.age(on: Self.referenceDate)))
        }
        #expect(Set(koreans.compactMap(\.hangulName)).count > 100)
    }

    @Test("addresses lie in 8 to 12 towns with four-digit postcodes and Georgian street names")
    func addressesArePlausible() {
        let addresses = Self.large.map(\.address)
        let towns = Set(addresses.map(\.city))
        #expect((8...12).contains(towns.count))
        #expect(Set(addresses.map(\.street)).count >= 20)
        for address in addresses.prefix(20_000) {
            #expect(address.postcode.utf8.count == 4)
            #expect(address.postcode.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
            #expect(!address.houseNumber.isEmpty)
            #expect(address.houseNumber.first?.isNumber == true)
            #expect(address.flat.map { $0 > 0 } ?? true)
            #expect(!GeorgianTransliteration.latin(address.street, style: .document).contains { !$0.isASCII })
        }
        let inFlats = Double(addresses.filter { $0.flat != nil }.count) / Double(addresses.count)
        #expect((0.3...0.8).contains(inFlats))
        // Each district of a town has its own postcode.
        var postcodeOfDistrict: [String: String] = [:]
        for address in addresses {
            let key = address.city + "/" + address.district
            let previous = postcodeOfDistrict.updateValue(address.postcode, forKey: key)
            #expect(previous == nil || previous == address.postcode)
        }
    }

    @Test("the collection has the requested count and an empty population is allowed")
    func countAndEmptyPopulation() {
        #expect(PopulationGenerator(count: 0, referenceDate: Self.referenceDate).isEmpty)
        #expect(PopulationGenerator(count: 12, referenceDate: Self.referenceDate).count == 12)
        #expect(Array(PopulationGenerator(count: 12, referenceDate: Self.referenceDate)).count == 12)
    }
}
